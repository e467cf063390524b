package oidcrstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// GenerateRSAKeyPEM returns a new RSA private key of bits bits as PKCS#8
// PEM, for OIDC_RS_PRIVATE_KEY_STR in tests.
func GenerateRSAKeyPEM(bits int) (string, error) {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return "", err
	}
	return pkcs8PEM(k)
}

// GenerateECKeyPEM returns a new P-256 private key as PKCS#8 PEM.
func GenerateECKeyPEM() (string, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	return pkcs8PEM(k)
}

func pkcs8PEM(k any) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", fmt.Errorf("oidcrstest: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// newSigningKey makes the authorization server's signing key for alg.
func newSigningKey(alg string) (any, error) {
	switch alg {
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("oidcrstest: unsupported signing alg %q", alg)
}
