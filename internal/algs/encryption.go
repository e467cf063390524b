package algs

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// The key encryption algs accepted for each key type.
var (
	RSAKey = []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256}
	ECKey  = []jose.KeyAlgorithm{jose.ECDH_ES, jose.ECDH_ES_A128KW, jose.ECDH_ES_A192KW, jose.ECDH_ES_A256KW}
)

// ContentEncryptions are the JWE content encryptions accepted.
var ContentEncryptions = []jose.ContentEncryption{
	jose.A128GCM, jose.A192GCM, jose.A256GCM,
	jose.A128CBC_HS256, jose.A192CBC_HS384, jose.A256CBC_HS512,
}

// ParseKey reads OIDC_RS_ENCRYPTION_ALGO and checks it against the key
// type ("RSA", "EC", or "" for either).
func ParseKey(alg, keyType string) (jose.KeyAlgorithm, error) {
	if alg == "" {
		return "", errors.New("is required with OIDC_RS_PRIVATE_KEY_STR and for the JWT backend")
	}
	a := jose.KeyAlgorithm(alg)
	isRSA, isEC := slices.Contains(RSAKey, a), slices.Contains(ECKey, a)
	switch {
	case !isRSA && !isEC:
		return "", fmt.Errorf("unsupported algorithm %q", alg)
	case isRSA && strings.EqualFold(keyType, "EC"), isEC && strings.EqualFold(keyType, "RSA"):
		return "", fmt.Errorf("algorithm %q does not fit key type %s", alg, keyType)
	}
	return a, nil
}

// KeyFits reports whether a private key suits the key encryption alg.
func KeyFits(key any, alg jose.KeyAlgorithm) bool {
	switch key.(type) {
	case *rsa.PrivateKey:
		return slices.Contains(RSAKey, alg)
	case *ecdsa.PrivateKey:
		return slices.Contains(ECKey, alg)
	}
	return false
}
