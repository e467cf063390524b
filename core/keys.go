package core

import (
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
