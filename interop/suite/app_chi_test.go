package suite_test

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core"
)

// chiApp uses the Chi adapter.
func chiApp(rs *core.ResourceServer) http.Handler {
	whoami := func(w http.ResponseWriter, r *http.Request) {
		ti, _ := chirs.TokenInfo(r)
		writeIdentity(w, newIdentity(ti, chirs.OriginAudience(r)))
	}
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, rs)
	r.Group(func(r chi.Router) {
		r.Use(chirs.Middleware(rs))
		r.Get("/me", whoami)
		r.With(chirs.RequireScopes(rs, core.AnyScope("admin"))).Get("/admin", whoami)
	})
	return r
}
