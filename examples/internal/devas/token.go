package devas

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
)

// serveToken answers the token endpoint: the authorization code grant,
// for public clients, with the PKCE verifier (RFC 7636, S256). A code is
// used once, whatever the outcome.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The token request is not a form.")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Only the authorization_code grant is supported.")
		return
	}
	code := f.Get("code")
	s.mu.Lock()
	g, ok := s.codes[code]
	delete(s.codes, code)
	s.mu.Unlock()
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	switch {
	case !ok || s.now().After(g.expires) || f.Get("client_id") != g.clientID:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The code is unknown, used, expired or another client's.")
		return
	case f.Get("redirect_uri") != "" && f.Get("redirect_uri") != g.redirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The redirect_uri is not the authorization request's.")
		return
	case subtle.ConstantTimeCompare([]byte(challenge), []byte(g.challenge)) != 1:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The code_verifier does not match the code_challenge.")
		return
	case f.Get("resource") != "" && f.Get("resource") != g.resource:
		oauthError(w, http.StatusBadRequest, "invalid_target", "The resource is not the authorization request's.")
		return
	}
	scope := strings.Join(g.scope, " ")
	claims := map[string]any{"scope": scope, "client_id": g.clientID, "sub": s.cfg.Subject}
	if g.resource != "" {
		claims["aud"] = g.resource
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": s.cfg.Mint(claims), "token_type": "Bearer",
		"expires_in": int(s.cfg.TTL.Seconds()), "scope": scope})
}
