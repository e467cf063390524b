package chirs_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The benchmarks compare a route with and without Middleware, every
// request a cache hit, so that CachedHit - Bare is what the adapter and
// core add per request. No network: the router's ServeHTTP gets a
// prebuilt request and a reusable writer.

// benchToken looks like an opaque access token (43 characters of
// base64url), so that ExtractToken never tries to decode it.
const benchToken = "kVq3u6n0-Xq_7Jc2mTz9pLr4wYb8sDe1fGh5iKj3lMn"

var benchBody = []byte(`{"ok":true}`)

// discardWriter is an http.ResponseWriter that keeps the status and drops
// the body; reset clears its header map, keeping the map's storage.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) reset()                      { clear(w.h); w.code = 0 }

// benchRS starts a JSON-mode authorization server that knows benchToken
// and a resource server that trusts it, caching for an hour.
func benchRS(b *testing.B) (*oidcrstest.Server, *core.ResourceServer) {
	b.Helper()
	as := oidcrstest.Start(b, oidcrstest.Config{})
	now := time.Now()
	as.SetAnswer(benchToken, map[string]any{"active": true, "iss": as.URL,
		"client_id": oidcrstest.DefaultSPClientID, "sub": oidcrstest.DefaultSubject,
		"scope": oidcrstest.DefaultScope, "token_type": "Bearer",
		"iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix()})
	st := as.Settings("")
	st.CacheTTL = time.Hour
	rs, err := core.New(st)
	if err != nil {
		b.Fatal(err)
	}
	return as, rs
}

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
	_, _ = w.Write(benchBody)
}

func benchRequest() *http.Request {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+benchToken)
	return req
}

// benchServe serves req and returns the status, leaving w ready for reuse.
func benchServe(h http.Handler, req *http.Request, w *discardWriter) int {
	h.ServeHTTP(w, req)
	code := w.code
	w.reset()
	return code
}

// benchLoop serves req b.N times, failing on any status but 200; the first
// request, before the timer, fills the cache on authenticated routes.
func benchLoop(b *testing.B, h http.Handler, req *http.Request) {
	w := &discardWriter{h: http.Header{}}
	if code := benchServe(h, req, w); code != http.StatusOK {
		b.Fatalf("status %d, want 200", code)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := benchServe(h, req, w); code != http.StatusOK {
			b.Fatalf("status %d, want 200", code)
		}
	}
}

func BenchmarkBareChi(b *testing.B) {
	benchLoop(b, benchEngine(bareHandler), benchRequest())
}

// checkHits fails unless the authorization server was asked exactly once.
func checkHits(b *testing.B, as *oidcrstest.Server) {
	if n := as.IntrospectionCalls(); n != 1 {
		b.Fatalf("%d introspections, want 1 (every timed request a cache hit)", n)
	}
}

func BenchmarkCachedHitChi(b *testing.B) {
	as, rs := benchRS(b)
	benchLoop(b, benchEngine(authHandler, chirs.Middleware(rs)), benchRequest())
	checkHits(b, as)
}

func BenchmarkCachedHitParallelChi(b *testing.B) {
	as, rs := benchRS(b)
	h, req := benchEngine(authHandler, chirs.Middleware(rs)), benchRequest()
	if code := benchServe(h, req, &discardWriter{h: http.Header{}}); code != http.StatusOK {
		b.Fatalf("status %d, want 200", code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			if code := benchServe(h, req, w); code != http.StatusOK {
				b.Errorf("status %d, want 200", code)
				return
			}
		}
	})
	checkHits(b, as)
}
