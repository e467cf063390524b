package oidcrstest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
)

// defaultResource is the resource server identifier (the aud) of minted
// access tokens when Config.Resource is empty.
const defaultResource = "https://rs.example/api"

// Resource is the aud of the access tokens this server mints.
func (s *Server) Resource() string { return or(s.cfg.Resource, defaultResource) }

// MintAccessToken signs an RFC 9068 JWT access token with the current
// signing key (Config.SigningAlg). Its protected header is typ at+jwt and
// the key's kid, overlaid with header (a nil value removes an entry); its
// claims are iss, aud (Resource), sub DefaultSubject, client_id
// DefaultSPClientID, scope DefaultScope, iat, exp and jti, overlaid with
// claims (a nil value removes a claim). The token is not registered for
// introspection: it is checked locally.
func (s *Server) MintAccessToken(claims map[string]any, header map[jose.HeaderKey]any) string {
	now := time.Now()
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	c := map[string]any{"iss": s.URL, "aud": s.Resource(), "sub": DefaultSubject, "client_id": DefaultSPClientID,
		"scope": DefaultScope, "iat": now.Unix(), "exp": now.Add(s.cfg.TokenTTL).Unix(),
		"jti": base64.RawURLEncoding.EncodeToString(jti[:])}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		panic("oidcrstest: claims do not marshal: " + err.Error())
	}
	k := s.SigningKey()
	h := map[jose.HeaderKey]any{jose.HeaderType: "at+jwt", "kid": k.KeyID}
	for name, v := range header {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	opts := &jose.SignerOptions{}
	for name, v := range h {
		opts.WithHeader(name, v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: s.cfg.SigningAlg, Key: k.Key}, opts)
	if err != nil {
		panic("oidcrstest: " + err.Error())
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		panic("oidcrstest: " + err.Error())
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		panic("oidcrstest: " + err.Error())
	}
	return tok
}

// AccessTokenSettings returns resource-server settings that check this
// server's access tokens locally (core.BackendJWTAccessToken), with scopes
// OIDC_RS_SCOPES.
func (s *Server) AccessTokenSettings(scopes ...string) core.Settings {
	if len(scopes) == 0 {
		scopes = []string{DefaultScope}
	}
	return core.Settings{Backend: core.BackendJWTAccessToken, Issuer: s.URL, JWKSEndpoint: s.JWKSURL(),
		Resource: s.Resource(), SigningAlgorithm: string(s.cfg.SigningAlg), Scopes: scopes}
}

// serveDiscovery answers GET /.well-known/openid-configuration with the
// issuer (Config.DiscoveryIssuer when set, to test a mismatch), the
// introspection endpoint, the JWKS URL and Config.ClientAuthMethods.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	s.discoveryCalls.Add(1)
	if s.applyFault(w, r, s.discoveryFault.Load()) {
		return
	}
	doc := map[string]any{"issuer": or(s.cfg.DiscoveryIssuer, s.URL),
		"introspection_endpoint": s.IntrospectionURL(), "jwks_uri": s.JWKSURL()}
	if len(s.cfg.ClientAuthMethods) > 0 {
		doc["introspection_endpoint_auth_methods_supported"] = s.cfg.ClientAuthMethods
	}
	writeJSON(w, http.StatusOK, doc)
}

// SetDiscoveryFault makes the discovery endpoint misbehave; nil restores it.
func (s *Server) SetDiscoveryFault(f *Fault) { s.discoveryFault.Store(f) }

// DiscoveryCalls counts the requests to the discovery endpoint.
func (s *Server) DiscoveryCalls() int64 { return s.discoveryCalls.Load() }
