package suite_test

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/adapters/echov5"
	"github.com/oidcrs/oidcrs/core"
)

// echoV5App uses the Echo v5 adapter with Echo's default error handler,
// which renders the adapter's errors.
func echoV5App(rs *core.ResourceServer) http.Handler {
	whoami := func(c *echo.Context) error {
		ti, _ := echov5rs.TokenInfo(c)
		return c.JSON(http.StatusOK, newIdentity(ti, echov5rs.OriginAudience(c)))
	}
	e := echo.New()
	echov5rs.RegisterRoutes(e, rs)
	api := e.Group("", echov5rs.Middleware(rs))
	api.GET("/me", whoami)
	api.GET("/admin", whoami, echov5rs.RequireScopes(rs, core.AnyScope("admin")))
	return e
}
