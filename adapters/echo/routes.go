package echors

import (
	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/core"
)

// Router is what RegisterRoutes mounts on: *echo.Echo and *echo.Group.
type Router interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	HEAD(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
	OPTIONS(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

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
func RegisterRoutes(r Router, rs *core.ResourceServer, opts ...RouteOption) {
	mustHave(rs, "RegisterRoutes")
	cfg := routes{jwksPath: "/jwks"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	r.GET(cfg.jwksPath, echo.WrapHandler(rs.JWKSHandler()))
	if p := rs.MetadataPath(); p != "" {
		h := echo.WrapHandler(rs.MetadataHandler())
		r.GET(p, h)
		r.HEAD(p, h)
		r.OPTIONS(p, h)
	}
}
