// Package pemkeys parses the resource server's private keys, the PEM text
// of OIDC_RS_PRIVATE_KEY_STR, for core (which decrypts with them and
// publishes them at /jwks) and for the oidcrs command (which generates
// and rotates them).
//
// # Security
//
// No error holds key material: they name a PEM block by its number.
// Encrypted PEM, RSA keys under 2048 bits and curves other than P-256,
// P-384 and P-521 are refused.
package pemkeys

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
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// The reference implementation's messages, with which errors start.
const (
	MsgMissing = "OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."
	MsgWrong   = "OIDC_RS_PRIVATE_KEY_STR setting is wrong."
)

// ErrMissing is returned when the PEM text is empty.
var ErrMissing = errors.New(MsgMissing)

// MinRSABits is the smallest RSA key accepted.
const MinRSABits = 2048

// Parse parses one or more PKCS#8, PKCS#1 RSA or SEC1 EC private keys.
// keyType is "RSA", "EC", or "" to accept either; every key must be of
// that type. Each key gets "enc" as use and its RFC 7638 SHA-256
// thumbprint as kid, in the order of the text.
func Parse(pemText, keyType string) ([]jose.JSONWebKey, error) {
	if strings.TrimSpace(pemText) == "" {
		return nil, ErrMissing
	}
	wrong := func(format string, args ...any) error {
		return fmt.Errorf(MsgWrong+" "+format, args...)
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
		key, err := parseBlock(block)
		if err == nil {
			err = checkType(key, keyType)
		}
		if err != nil {
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

func parseBlock(b *pem.Block) (any, error) {
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

func checkType(key any, keyType string) error {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if keyType == "EC" {
			return errors.New("an RSA key where OIDC_RS_ENCRYPTION_KEY_TYPE is EC")
		}
		if k.N.BitLen() < MinRSABits {
			return fmt.Errorf("RSA key of %d bits, at least %d required", k.N.BitLen(), MinRSABits)
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
