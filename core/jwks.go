package core

import (
	"encoding/json"
	"net/http"
)

// jwksCacheControl lets the authorization server cache the public keys for
// five minutes: long enough to spare requests, short enough for rotation.
const jwksCacheControl = "public, max-age=300"

// jwksHandler serves a public JSON Web Key Set: GET and HEAD only, with
// Content-Type application/json and a Cache-Control header. The body is
// computed once. ResourceServer.JWKSHandler returns it.
type jwksHandler struct {
	status int
	body   []byte
}

// newJWKSHandler builds the /jwks handler the way the reference's view
// does: with no key it answers 500 {"error": "OIDC_RS_PRIVATE_KEY_STR
// setting is missing or empty."}, with an unusable key 500 {"error":
// "Could not load key"}. kr is the keyring New parsed, or nil.
func newJWKSHandler(s Settings, kr *keyring) *jwksHandler {
	if kr != nil {
		return &jwksHandler{status: http.StatusOK, body: kr.jwks}
	}
	if s.PrivateKey == "" {
		return jwksError(msgKeyMissing)
	}
	kr, err := loadKeyring(s)
	if err != nil {
		return jwksError(msgKeyLoad)
	}
	return &jwksHandler{status: http.StatusOK, body: kr.jwks}
}

func jwksError(msg string) *jwksHandler {
	b, _ := json.Marshal(map[string]string{"error": msg})
	return &jwksHandler{status: http.StatusInternalServerError, body: b}
}

// ServeHTTP writes the key set.
func (h *jwksHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
