// Command echo is the oidcrs example server on Echo.
//
//	go run ./examples/echo
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

	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/adapters/echo"
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

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	echors.RegisterRoutes(e, a.RS) // GET /jwks
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, echo.Map{"status": "ok"}) })

	api := e.Group("/api", echors.Middleware(a.RS))
	api.GET("/me", func(c echo.Context) error {
		ti, _ := echors.TokenInfo(c)
		return c.JSON(http.StatusOK, app.NewMe(ti, echors.OriginAudience(c)))
	})
	api.GET("/admin", func(c echo.Context) error {
		ti, _ := echors.TokenInfo(c)
		return c.JSON(http.StatusOK, app.NewAdmin(ti))
	}, echors.RequireScopes(a.RS, core.AnyScope("admin")))
	return a.Serve(ctx, e)
}
