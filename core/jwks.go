package core

import (
	"encoding/json"
	"fmt"
	"net/http"

	jose "github.com/go-jose/go-jose/v4"
)

// jwksCacheControl lets the authorization server cache the public keys for
// five minutes: long enough to spare requests, short enough for rotation.
const jwksCacheControl = "public, max-age=300"

// keyring holds the resource server's decryption keys, parsed once, and
// the public JWKS document, marshalled once.
type keyring struct {
	alg  jose.KeyAlgorithm
	keys []jose.JSONWebKey // private, kid set, in configured order
	byID map[string]*jose.JSONWebKey
	jwks []byte
}

// loadKeyring parses the private keys of s and builds the public JWKS.
func loadKeyring(s Settings) (*keyring, error) {
	keys, err := ParsePrivateKeys(s.PrivateKey, s.KeyType)
	if err != nil {
		return nil, err
	}
	alg, err := parseKeyAlgorithm(s.EncryptionAlgorithm, s.KeyType)
	if err != nil {
		return nil, fmt.Errorf("OIDC_RS_ENCRYPTION_ALGO: %w", err)
	}
	kr := &keyring{alg: alg, keys: keys, byID: make(map[string]*jose.JSONWebKey, len(keys))}
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for i := range kr.keys {
		k := &kr.keys[i]
		if !keyFits(k.Key, alg) {
			return nil, fmt.Errorf("%s key %d does not fit OIDC_RS_ENCRYPTION_ALGO %s", MsgKeyWrong, i+1, alg)
		}
		k.Algorithm = string(alg)
		kr.byID[k.KeyID] = k
		pub := k.Public()
		if !pub.Valid() || !pub.IsPublic() {
			return nil, fmt.Errorf("%s key %d has no valid public half", MsgKeyWrong, i+1)
		}
		set.Keys = append(set.Keys, pub)
	}
	kr.jwks, err = json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("%s %v", MsgKeyWrong, err)
	}
	return kr, nil
}

// JWKSHandler serves a public JSON Web Key Set: GET and HEAD only, with
// Content-Type application/json and a Cache-Control header. The body is
// computed once.
type JWKSHandler struct {
	status int
	body   []byte
}

// NewJWKSHandler builds the /jwks handler from settings alone, the way the
// reference's view does: with no key it answers 500
// {"error": "OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}, with an
// unusable key 500 {"error": "Could not load key"}. It never fails.
func NewJWKSHandler(s Settings) *JWKSHandler {
	if s.PrivateKey == "" {
		return jwksError(MsgKeyMissing)
	}
	kr, err := loadKeyring(s)
	if err != nil {
		return jwksError(MsgKeyLoad)
	}
	return kr.handler()
}

func (kr *keyring) handler() *JWKSHandler {
	return &JWKSHandler{status: http.StatusOK, body: kr.jwks}
}

func jwksError(msg string) *JWKSHandler {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return &JWKSHandler{status: http.StatusInternalServerError, body: b}
}

// ServeHTTP writes the key set.
func (h *JWKSHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	if h.status == http.StatusOK {
		hd.Set("Cache-Control", jwksCacheControl)
	} else {
		hd.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(h.status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(h.body)
	}
}

// Body returns a copy of the served document.
func (h *JWKSHandler) Body() []byte { return append([]byte(nil), h.body...) }
