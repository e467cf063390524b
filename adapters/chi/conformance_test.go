package chirs_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// reply is every conformance route's handler, reading through the
// adapter's accessors.
func reply(w http.ResponseWriter, r *http.Request) {
	ti, _ := chirs.TokenInfo(r)
	user, _ := chirs.User(r)
	oidcrstest.WriteConformanceReply(w, ti, chirs.OriginAudience(r), user)
}

func buildApp(_ *testing.T, rs *core.ResourceServer, opts oidcrstest.ConformanceOptions) http.Handler {
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, rs, chirs.WithJWKSPath(opts.JWKSPath))
	for _, rt := range opts.Routes {
		var mw []chirs.Option
		if rt.Optional {
			mw = append(mw, chirs.Optional())
		}
		if rt.Skip {
			path := rt.Path
			mw = append(mw, chirs.WithSkipper(func(r *http.Request) bool { return r.URL.Path == path }))
		}
		chain := chi.Chain(chirs.Middleware(rs, mw...))
		if rt.Scopes != nil {
			chain = append(chain, chirs.RequireScopes(rs, *rt.Scopes))
		}
		r.With(chain...).Get(rt.Path, reply)
	}
	return r
}

func TestConformance(t *testing.T) {
	oidcrstest.RunConformance(t, buildApp)
}
