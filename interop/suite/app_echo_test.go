package suite_test

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/adapters/echo"
	"github.com/oidcrs/oidcrs/core"
)

// echoApp uses the Echo adapter with Echo's default error handler, which
// renders the adapter's errors.
func echoApp(rs *core.ResourceServer) http.Handler {
	whoami := func(c echo.Context) error {
		ti, _ := echors.TokenInfo(c)
		return c.JSON(http.StatusOK, newIdentity(ti, echors.OriginAudience(c)))
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	echors.RegisterRoutes(e, rs)
	api := e.Group("", echors.Middleware(rs))
	api.GET("/me", whoami)
	api.GET("/admin", whoami, echors.RequireScopes(rs, core.AnyScope("admin")))
	return e
}
