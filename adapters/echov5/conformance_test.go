package echov5rs_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/adapters/echov5"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// reply is every conformance route's handler, reading through the
// adapter's accessors.
func reply(c *echo.Context) error {
	ti, _ := echov5rs.TokenInfo(c)
	user, _ := echov5rs.User(c)
	adaptertest.WriteConformanceReply(c.Response(), ti, echov5rs.OriginAudience(c), user)
	return nil
}

func buildApp(_ *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
	return buildWith(echo.New(), rs, opts)
}

func buildWith(e *echo.Echo, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
	echov5rs.RegisterRoutes(e, rs, echov5rs.WithJWKSPath(opts.JWKSPath))
	for _, rt := range opts.Routes {
		cfg := echov5rs.Config{ResourceServer: rs, Optional: rt.Optional}
		if rt.Skip {
			path := rt.Path
			cfg.Skipper = func(c *echo.Context) bool { return c.Path() == path }
		}
		chain := []echo.MiddlewareFunc{echov5rs.MiddlewareWithConfig(cfg)}
		if rt.Scopes != nil {
			chain = append(chain, echov5rs.RequireScopes(rs, *rt.Scopes))
		}
		e.GET(rt.Path, reply, chain...)
		e.OPTIONS(rt.Path, reply, chain...)
	}
	return e
}

// TestConformance runs the shared suite with Echo's default
// HTTPErrorHandler rendering the errors.
func TestConformance(t *testing.T) {
	adaptertest.RunConformance(t, buildApp)
}

// TestConformanceExposeError runs it again with the default handler
// exposing errors, which must change nothing: the body is the fixed
// description, never core's error text.
func TestConformanceExposeError(t *testing.T) {
	adaptertest.RunConformance(t, func(_ *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
		e := echo.New()
		e.HTTPErrorHandler = echo.DefaultHTTPErrorHandler(true)
		return buildWith(e, rs, opts)
	})
}
