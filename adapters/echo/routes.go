package echors

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/core"
)

// Router is what RegisterRoutes mounts on: *echo.Echo and *echo.Group.
type Router interface {
	GET(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

// RouteOption configures RegisterRoutes.
type RouteOption func(*routes)

type routes struct{ jwksPath string }

// WithJWKSPath sets the path of the JWKS route. Default value: "/jwks".
func WithJWKSPath(path string) RouteOption { return func(r *routes) { r.jwksPath = path } }

// RegisterRoutes mounts GET /jwks (rs.JWKSHandler: the resource server's
// public encryption keys, which the authorization server fetches to
// encrypt RFC 9701 answers) on r, outside any authentication. With a nil
// rs the route answers 500.
func RegisterRoutes(r Router, rs *core.ResourceServer, opts ...RouteOption) {
	cfg := routes{jwksPath: "/jwks"}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	var h http.Handler = core.NewJWKSHandler(core.Settings{})
	if rs != nil {
		h = rs.JWKSHandler()
	}
	r.GET(cfg.jwksPath, echo.WrapHandler(h))
}
