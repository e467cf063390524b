package oidcrstest

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// clientAssertionType is RFC 7523 section 2.2's client_assertion_type.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clientOK authenticates the resource server with one of
// Config.ClientAuthMethods, or, when it is empty, with its secret in the
// form or in a Basic header.
func (s *Server) clientOK(r *http.Request) bool {
	methods := s.cfg.ClientAuthMethods
	if len(methods) == 0 {
		methods = []string{"client_secret_post", "client_secret_basic"}
	}
	id, secret, basic := r.BasicAuth()
	var method string
	switch {
	case basic:
		method = "client_secret_basic"
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	case r.PostForm.Has("client_assertion"):
		method = "private_key_jwt"
	case r.PostForm.Has("client_secret"):
		method = "client_secret_post"
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if !slices.Contains(methods, method) {
		return false
	}
	if method == "private_key_jwt" {
		return s.assertionOK(r.PostForm)
	}
	return subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) == 1
}

// assertionOK checks a private_key_jwt client assertion as node
// oidc-provider does: the jwt-bearer type, a signature by a use "sig" key
// of the resource server's JWKS (Config.RSJWKSURL) named by kid, iss and
// sub the client id, aud the issuer, the introspection endpoint or a list
// holding one, exp in the future, and a jti never seen before.
func (s *Server) assertionOK(form url.Values) bool {
	if form.Get("client_assertion_type") != clientAssertionType ||
		(form.Has("client_id") && form.Get("client_id") != s.cfg.ClientID) {
		return false
	}
	jws, err := jose.ParseSigned(form.Get("client_assertion"),
		[]jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.ES384, jose.ES512})
	if err != nil || len(jws.Signatures) != 1 {
		return false
	}
	key, err := s.clientKey(jws.Signatures[0].Protected.KeyID)
	if err != nil {
		return false
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return false
	}
	var c struct {
		Iss, Sub, Jti string
		Aud           any
		Exp           int64
	}
	if json.Unmarshal(payload, &c) != nil || c.Iss != s.cfg.ClientID || c.Sub != s.cfg.ClientID || c.Jti == "" ||
		c.Exp <= time.Now().Unix() || !s.assertionAudience(c.Aud) {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.jtis == nil {
		s.jtis = map[string]bool{}
	}
	if s.jtis[c.Jti] {
		return false
	}
	s.jtis[c.Jti] = true
	return true
}

// assertionAudience accepts the issuer or the introspection endpoint, or
// a list holding one of them.
func (s *Server) assertionAudience(aud any) bool {
	ok := func(v any) bool { return v == s.URL || v == s.IntrospectionURL() }
	if list, isList := aud.([]any); isList {
		return slices.ContainsFunc(list, ok)
	}
	return ok(aud)
}

// clientKey fetches the resource server's JWKS from Config.RSJWKSURL and
// returns its use "sig" key named kid.
func (s *Server) clientKey(kid string) (*jose.JSONWebKey, error) {
	if s.cfg.RSJWKSURL == "" {
		return nil, errors.New("oidcrstest: no RSJWKSURL")
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(s.cfg.RSJWKSURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&set) != nil {
		return nil, errors.New("oidcrstest: the resource server JWKS is unusable")
	}
	for _, k := range set.Key(kid) {
		if k.Use == "sig" {
			return &k, nil
		}
	}
	return nil, errors.New("oidcrstest: no signing key of that kid")
}
