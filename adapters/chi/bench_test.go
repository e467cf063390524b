package chirs_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// The benchmarks compare a route with and without Middleware, every
// request a cache hit, so that CachedHit - Bare is what the adapter and
// core add per request. No network: the router's ServeHTTP gets a
// prebuilt request and a reusable writer (see adaptertest.BenchServe).

// benchEngine returns a router serving GET /api/me with handler, behind
// mw when given.
func benchEngine(handler http.HandlerFunc, mw ...func(http.Handler) http.Handler) *chi.Mux {
	r := chi.NewRouter()
	r.With(mw...).Get("/api/me", handler)
	return r
}

func bareHandler(w http.ResponseWriter, _ *http.Request) { writeBody(w) }

// authHandler answers 200 only when the middleware put the token's
// TokenInfo in the context.
func authHandler(w http.ResponseWriter, r *http.Request) {
	ti, ok := chirs.TokenInfo(r)
	if !ok || ti.Subject != oidcrstest.DefaultSubject {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeBody(w)
}

func writeBody(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(adaptertest.BenchBody)
}

func BenchmarkBareChi(b *testing.B) {
	adaptertest.BenchServe(b, benchEngine(bareHandler), adaptertest.BenchRequest("/api/me"))
}

func BenchmarkCachedHitChi(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	adaptertest.BenchServe(b, benchEngine(authHandler, chirs.Middleware(rs)), adaptertest.BenchRequest("/api/me"))
	adaptertest.CheckOneIntrospection(b, as)
}

func BenchmarkCachedHitParallelChi(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	adaptertest.BenchServeParallel(b, benchEngine(authHandler, chirs.Middleware(rs)), adaptertest.BenchRequest("/api/me"))
	adaptertest.CheckOneIntrospection(b, as)
}
