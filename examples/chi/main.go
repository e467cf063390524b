// Command chi is the oidcrs example server on chi.
//
//	go run ./examples/chi
//
// Without OIDC_OP_URL it starts a development authorization server and
// prints curl commands to try it; with the reference's OIDC_* variables it
// uses the real one. ADDR sets the listen address (default 127.0.0.1:8080).
// The log goes to stderr: text, or JSON with LOG_FORMAT=json, at
// LOG_LEVEL (default info). METRICS=1 serves GET /metrics (Prometheus).
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
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

	r := chi.NewRouter()
	chirs.RegisterRoutes(r, a.RS) // GET /jwks
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, map[string]string{"status": "ok"}) })

	r.Route("/api", func(r chi.Router) {
		r.Use(chirs.Middleware(a.RS))
		r.Get("/me", func(w http.ResponseWriter, r *http.Request) {
			ti, _ := chirs.TokenInfo(r)
			writeJSON(w, app.NewMe(ti, chirs.OriginAudience(r)))
		})
		r.With(chirs.RequireScopes(a.RS, core.AnyScope("admin"))).Get("/admin", func(w http.ResponseWriter, r *http.Request) {
			ti, _ := chirs.TokenInfo(r)
			writeJSON(w, app.NewAdmin(ti))
		})
	})
	return a.Serve(ctx, r)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
