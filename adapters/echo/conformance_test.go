package echors_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/adapters/echo"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// reply is every conformance route's handler, reading through the
// adapter's accessors.
func reply(c echo.Context) error {
	ti, _ := echors.TokenInfo(c)
	user, _ := echors.User(c)
	adaptertest.WriteConformanceReply(c.Response(), ti, echors.OriginAudience(c), user)
	return nil
}

func buildApp(_ *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
	e := echo.New()
	echors.RegisterRoutes(e, rs, echors.WithJWKSPath(opts.JWKSPath))
	for _, rt := range opts.Routes {
		cfg := echors.Config{ResourceServer: rs, Optional: rt.Optional}
		if rt.Skip {
			path := rt.Path
			cfg.Skipper = func(c echo.Context) bool { return c.Path() == path }
		}
		chain := []echo.MiddlewareFunc{echors.MiddlewareWithConfig(cfg)}
		if rt.Scopes != nil {
			chain = append(chain, echors.RequireScopes(rs, *rt.Scopes))
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
