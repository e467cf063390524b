// Package jwkset reads an authorization server's JWK set as core verifies
// with it and as the oidcrs command's check reports it: the keys fit for
// verifying signatures, and nothing else.
//
// # Security
//
// A set that is not valid JSON is refused whole. Keys for another use
// than "sig", private keys and keys go-jose finds invalid are left out.
package jwkset

import (
	"encoding/json"
	"errors"

	jose "github.com/go-jose/go-jose/v4"
)

// The errors of Signing.
var (
	ErrNotASet   = errors.New("JWKS is not a valid key set")
	ErrNoSigning = errors.New("JWKS has no usable signing key")
)

// Signing decodes a JWK set and returns its keys usable for verifying
// signatures: of use "sig" or of no stated use, public and valid, in
// order. It fails when none is left.
func Signing(body []byte) ([]jose.JSONWebKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, ErrNotASet
	}
	keys := set.Keys[:0]
	for _, k := range set.Keys {
		if (k.Use == "" || k.Use == "sig") && k.IsPublic() && k.Valid() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, ErrNoSigning
	}
	return keys, nil
}
