package core

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/pemkeys"
)

// parsePrivateKeys parses the PEM of OIDC_RS_PRIVATE_KEY_STR with the
// parser the oidcrs command shares (internal/pemkeys): PKCS#8, PKCS#1 or
// SEC1 keys of keyType ("RSA", "EC", or "" for either), each with its RFC
// 7638 thumbprint as kid. Errors start with the reference's message and
// never contain key material.
func parsePrivateKeys(pemText, keyType string) ([]jose.JSONWebKey, error) {
	return pemkeys.Parse(pemText, keyType)
}

// sigKeyIDSuffix tells a key's signing JWK from its encryption JWK: both
// hold the same key material, whose RFC 7638 thumbprint is the kid of the
// encryption JWK.
const sigKeyIDSuffix = "-sig"

// signingJWK returns enc, one of the resource server's keys, as the JWK
// that signs private_key_jwt client assertions: the same key material with
// use "sig", the signature alg its type calls for (RS256 for RSA, ES256,
// ES384 or ES512 for P-256, P-384 or P-521) and the kid of enc plus
// sigKeyIDSuffix. An authorization server picks a client's verification
// key by use and alg (node oidc-provider skips a key whose use is "enc" or
// whose alg is a key-encryption alg), so the encryption JWK alone cannot
// serve.
func signingJWK(enc jose.JSONWebKey) (jose.JSONWebKey, error) {
	var alg jose.SignatureAlgorithm
	switch k := enc.Key.(type) {
	case *rsa.PrivateKey:
		alg = jose.RS256
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			alg = jose.ES256
		case elliptic.P384():
			alg = jose.ES384
		case elliptic.P521():
			alg = jose.ES512
		}
	}
	if alg == "" {
		return jose.JSONWebKey{}, errors.New("cannot sign client assertions")
	}
	return jose.JSONWebKey{Key: enc.Key, KeyID: enc.KeyID + sigKeyIDSuffix, Algorithm: string(alg), Use: "sig"}, nil
}
