package core

import (
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/algs"
)

// keyring holds the resource server's decryption keys, parsed once, and
// the public JWKS document, marshalled once. With private_key_jwt it also
// holds the key that signs client assertions (see signingJWK).
type keyring struct {
	alg  jose.KeyAlgorithm
	keys []jose.JSONWebKey // private, kid set, in configured order
	byID map[string]*jose.JSONWebKey
	sig  *jose.JSONWebKey // private_key_jwt's signing key, or nil
	jwks []byte
}

// loadKeyring parses the private keys of s and builds the public JWKS:
// each key once with use "enc", and, with private_key_jwt, once more with
// use "sig" (see signingJWK).
func loadKeyring(s Settings) (*keyring, error) {
	keys, err := parsePrivateKeys(s.PrivateKey, s.KeyType)
	if err != nil {
		return nil, err
	}
	alg, err := algs.ParseKey(s.EncryptionAlgorithm, s.KeyType)
	if err != nil {
		return nil, fmt.Errorf("OIDC_RS_ENCRYPTION_ALGO: %w", err)
	}
	kr := &keyring{alg: alg, keys: keys, byID: make(map[string]*jose.JSONWebKey, len(keys))}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for i := range kr.keys {
		k := &kr.keys[i]
		if !algs.KeyFits(k.Key, alg) {
			return nil, fmt.Errorf("%s key %d does not fit OIDC_RS_ENCRYPTION_ALGO %s", msgKeyWrong, i+1, alg)
		}
		k.Algorithm = string(alg)
		kr.byID[k.KeyID] = k
		pub := k.Public()
		if !pub.Valid() || !pub.IsPublic() {
			return nil, fmt.Errorf("%s key %d has no valid public half", msgKeyWrong, i+1)
		}
		set.Keys = append(set.Keys, pub)
	}
	if s.ClientAuth == PrivateKeyJWT {
		for i := range kr.keys {
			sig, err := signingJWK(kr.keys[i])
			if err != nil {
				return nil, fmt.Errorf("%s key %d: %v", msgKeyWrong, i+1, err)
			}
			if i == 0 {
				kr.sig = &sig
			}
			set.Keys = append(set.Keys, sig.Public())
		}
	}
	kr.jwks, err = json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("%s %v", msgKeyWrong, err)
	}
	return kr, nil
}

// String redacts: a keyring holds private keys.
func (kr *keyring) String() string { return redacted }
