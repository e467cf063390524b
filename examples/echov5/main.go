// Command echov5 is the oidcrs example server on Echo v5.
//
//	go run ./examples/echov5
//
// Without OIDC_OP_URL it starts a development authorization server and
// prints curl commands to try it; with the reference's OIDC_* variables it
// uses the real one. ADDR sets the listen address (default 127.0.0.1:8080).
// The log goes to stderr: text, or JSON with LOG_FORMAT=json, at
// LOG_LEVEL (default info). METRICS=1 serves GET /metrics (Prometheus).
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/adapters/echov5"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/examples/internal/app"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(os.LookupEnv, os.Stdout)
	if err != nil {
		return err
	}
	defer a.Close()

	// a.Serve's http.Server serves e: Echo prints no banner.
	e := echo.New()
	echov5rs.RegisterRoutes(e, a.RS) // GET /jwks
	e.GET("/healthz", func(c *echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })

	api := e.Group("/api", echov5rs.Middleware(a.RS))
	api.GET("/me", func(c *echo.Context) error {
		ti, _ := echov5rs.TokenInfo(c)
		return c.JSON(http.StatusOK, app.NewMe(ti, echov5rs.OriginAudience(c)))
	})
	api.GET("/admin", func(c *echo.Context) error {
		ti, _ := echov5rs.TokenInfo(c)
		return c.JSON(http.StatusOK, app.NewAdmin(ti))
	}, echov5rs.RequireScopes(a.RS, core.AnyScope("admin")))
	return a.Serve(ctx, e)
}
