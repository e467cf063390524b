package chirs_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// reply is every conformance route's handler, reading through the
// adapter's accessors.
func reply(w http.ResponseWriter, r *http.Request) {
	ti, _ := chirs.TokenInfo(r)
	user, _ := chirs.User(r)
	adaptertest.WriteConformanceReply(w, ti, chirs.OriginAudience(r), user)
}

func buildApp(_ *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, rs, chirs.WithJWKSPath(opts.JWKSPath))
	for _, rt := range opts.Routes {
		var mw []core.MiddlewareOption
		if rt.Optional {
			mw = append(mw, core.Optional())
		}
		if rt.Skip {
			path := rt.Path
			mw = append(mw, core.WithSkipper(func(r *http.Request) bool { return r.URL.Path == path }))
		}
		chain := chi.Chain(chirs.Middleware(rs, mw...))
		if rt.Scopes != nil {
			chain = append(chain, chirs.RequireScopes(rs, *rt.Scopes))
		}
		r.With(chain...).Get(rt.Path, reply)
		r.With(chain...).Options(rt.Path, reply)
	}
	return r
}

func TestConformance(t *testing.T) {
	adaptertest.RunConformance(t, buildApp)
}
