// Command gin is the oidcrs example server on Gin.
//
//	go run ./examples/gin
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

	"github.com/gin-gonic/gin"

	"github.com/oidcrs/oidcrs/adapters/gin"
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

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	ginrs.RegisterRoutes(r, a.RS) // GET /jwks
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })

	api := r.Group("/api", ginrs.Middleware(a.RS))
	api.GET("/me", func(c *gin.Context) {
		ti, _ := ginrs.TokenInfo(c)
		c.JSON(http.StatusOK, app.NewMe(ti, ginrs.OriginAudience(c)))
	})
	api.GET("/admin", ginrs.RequireScopes(a.RS, core.AnyScope("admin")), func(c *gin.Context) {
		ti, _ := ginrs.TokenInfo(c)
		c.JSON(http.StatusOK, app.NewAdmin(ti))
	})
	return a.Serve(ctx, r)
}
