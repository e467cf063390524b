package chirs

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/core"
)

// RouteOption configures RegisterRoutes.
type RouteOption func(*routes)

type routes struct{ jwksPath string }

// WithJWKSPath sets the path of the JWKS route. Default value: "/jwks".
func WithJWKSPath(path string) RouteOption { return func(r *routes) { r.jwksPath = path } }

// RegisterRoutes mounts on r, outside any authentication, GET /jwks
// (rs.JWKSHandler: the resource server's public encryption keys, which the
// authorization server fetches to encrypt RFC 9701 answers) and, with
// Settings.Resource, GET, HEAD and OPTIONS (the CORS preflight) of the RFC
// 9728 protected-resource metadata at rs.MetadataPath (rs.MetadataHandler).
// It panics on a nil rs.
func RegisterRoutes(r chi.Router, rs *core.ResourceServer, opts ...RouteOption) {
	mustHave(rs, "RegisterRoutes")
	cfg := routes{jwksPath: "/jwks"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	r.Method(http.MethodGet, cfg.jwksPath, rs.JWKSHandler())
	if p := rs.MetadataPath(); p != "" {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
			r.Method(m, p, rs.MetadataHandler())
		}
	}
}
