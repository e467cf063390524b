package chirs_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// The benchmarks compare a route with and without Middleware, every
// request a cache hit, so that CachedHit - Bare is what the adapter and
// core add per request, and CachedHit - Floor what is left once the
// context write any such middleware pays is taken out. No network: the router's ServeHTTP gets a
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

// floorKey is the context key of the floor middleware's value.
type floorKey struct{}

// floorMiddleware only hands one value to the next handler, the way
// Middleware does: a context.WithValue and a Request.WithContext.
func floorMiddleware(v *core.TokenInfo) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), floorKey{}, v)))
		})
	}
}

// floorHandler answers 200 only when the floor middleware's value reached
// it.
func floorHandler(w http.ResponseWriter, r *http.Request) {
	if r.Context().Value(floorKey{}) == nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeBody(w)
}

// BenchmarkFloorChi is the bare route behind a middleware that only
// writes one value into the request context: the least a net/http
// middleware handing a TokenInfo to its handler can do.
func BenchmarkFloorChi(b *testing.B) {
	adaptertest.BenchServe(b, benchEngine(floorHandler, floorMiddleware(new(core.TokenInfo))), adaptertest.BenchRequest("/api/me"))
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
