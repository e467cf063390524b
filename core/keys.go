package core

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// errKeyMissing is returned when no private key is configured.
var errKeyMissing = errors.New(msgKeyMissing)

const minRSABits = 2048

// parsePrivateKeys parses the PEM of OIDC_RS_PRIVATE_KEY_STR: one or more
// PKCS#8, PKCS#1 RSA or SEC1 EC private keys. keyType is "RSA", "EC", or ""
// to accept either; every key must be of that type. Each key gets its RFC
// 7638 SHA-256 thumbprint as kid. Errors start with the reference's message
// and never contain key material.
func parsePrivateKeys(pemText, keyType string) ([]jose.JSONWebKey, error) {
	if strings.TrimSpace(pemText) == "" {
		return nil, errKeyMissing
	}
	wrong := func(format string, args ...any) error {
		return fmt.Errorf(msgKeyWrong+" "+format, args...)
	}
	keyType = strings.ToUpper(strings.TrimSpace(keyType))
	if keyType != "" && keyType != "RSA" && keyType != "EC" {
		return nil, wrong("OIDC_RS_ENCRYPTION_KEY_TYPE must be RSA or EC, not %q", keyType)
	}
	var keys []jose.JSONWebKey
	seen := map[string]bool{}
	rest := []byte(pemText)
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type == "EC PARAMETERS" {
			continue
		}
		if len(block.Headers) > 0 {
			return nil, wrong("PEM block %d is encrypted or has headers", n)
		}
		key, err := parsePEMBlock(block)
		if err != nil {
			return nil, wrong("PEM block %d: %v", n, err)
		}
		if err := checkKeyType(key, keyType); err != nil {
			return nil, wrong("PEM block %d: %v", n, err)
		}
		jwk := jose.JSONWebKey{Key: key, Use: "enc"}
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, wrong("PEM block %d: %v", n, err)
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
		if seen[jwk.KeyID] {
			return nil, wrong("PEM block %d repeats an earlier key", n)
		}
		seen[jwk.KeyID] = true
		keys = append(keys, jwk)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, wrong("text outside PEM blocks")
	}
	if len(keys) == 0 {
		return nil, wrong("no PEM private key found")
	}
	return keys, nil
}

func parsePEMBlock(b *pem.Block) (any, error) {
	switch b.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, errors.New("invalid PKCS#8 key")
		}
		return k, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, errors.New("invalid PKCS#1 RSA key")
		}
		return k, nil
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(b.Bytes)
		if err != nil {
			return nil, errors.New("invalid SEC1 EC key")
		}
		return k, nil
	}
	return nil, fmt.Errorf("unsupported PEM type %q", b.Type)
}

func checkKeyType(key any, keyType string) error {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if keyType == "EC" {
			return errors.New("an RSA key where OIDC_RS_ENCRYPTION_KEY_TYPE is EC")
		}
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key of %d bits, at least %d required", k.N.BitLen(), minRSABits)
		}
		return nil
	case *ecdsa.PrivateKey:
		if keyType == "RSA" {
			return errors.New("an EC key where OIDC_RS_ENCRYPTION_KEY_TYPE is RSA")
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return errors.New("unsupported EC curve")
	}
	return fmt.Errorf("unsupported key type %T", key)
}

// Key encryption algorithms accepted for each key type. RSA1_5 is left out
// on purpose (RFC 8725 section 3.2).
var (
	rsaKeyAlgorithms = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256}
	ecKeyAlgorithms  = []jose.KeyAlgorithm{jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW}
	// signingAlgorithms are the asymmetric JWS algs accepted; "none" and
	// the HMAC algs are never accepted.
	signingAlgorithms = []jose.SignatureAlgorithm{
		jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA,
	}
	contentEncryptions = []jose.ContentEncryption{
		jose.A128GCM, jose.A192GCM, jose.A256GCM,
		jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512,
	}
)

// parseKeyAlgorithm checks OIDC_RS_ENCRYPTION_ALGO against the key type.
func parseKeyAlgorithm(alg, keyType string) (jose.KeyAlgorithm, error) {
	if alg == "" {
		return "", errors.New("is required with OIDC_RS_PRIVATE_KEY_STR and for the JWT backend")
	}
	a := jose.KeyAlgorithm(alg)
	isRSA, isEC := slices.Contains(rsaKeyAlgorithms, a), slices.Contains(ecKeyAlgorithms, a)
	switch {
	case !isRSA && !isEC:
		return "", fmt.Errorf("unsupported algorithm %q", alg)
	case isRSA && strings.EqualFold(keyType, "EC"), isEC && strings.EqualFold(keyType, "RSA"):
		return "", fmt.Errorf("algorithm %q does not fit key type %s", alg, keyType)
	}
	return a, nil
}

// keyFits reports whether a parsed key suits the key algorithm.
func keyFits(key any, alg jose.KeyAlgorithm) bool {
	switch key.(type) {
	case *rsa.PrivateKey:
		return slices.Contains(rsaKeyAlgorithms, alg)
	case *ecdsa.PrivateKey:
		return slices.Contains(ecKeyAlgorithms, alg)
	}
	return false
}
