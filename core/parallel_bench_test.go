package core_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// The parallel benchmarks serve cached tokens from every goroutine of
// RunParallel; run them with -cpu 1,2 and compare: a hit path that scales
// takes about half the ns/op on 2 CPUs. No goroutine writes memory another
// one reads (the route writes its own goroutine's ResponseWriter, results
// are counted per goroutine), so what does not scale is the code measured.
// Each comes on ONE token, every goroutine asking about the same one, and
// on parallelDistinct tokens, all cached, each goroutine walking them in its
// own order: the cache's scaling. BenchmarkFloorParallel is the context
// write beside it (two allocations), which bounds the net/http figures.
//
//	go test -run '^$' -benchmem -cpu 1,2 -bench 'Parallel(Distinct)?$'

// parallelDistinct is the number of distinct cached tokens: a full cache of
// the default size.
const parallelDistinct = 100_000

// parallelFixture is a ResourceServer whose cache holds the tokens behind
// headers; calls counts its introspections.
type parallelFixture struct {
	rs      *core.ResourceServer
	headers []string // "Bearer " + token
	calls   atomic.Int64
}

var parallelFixtures struct {
	sync.Mutex
	byN map[int]*parallelFixture
}

// parallelTokens returns the fixture of n cached tokens, built once per
// process (filling 100,000 takes a second).
func parallelTokens(b *testing.B, n int) *parallelFixture {
	b.Helper()
	parallelFixtures.Lock()
	defer parallelFixtures.Unlock()
	if f := parallelFixtures.byN[n]; f != nil {
		return f
	}
	f := newParallelFixture(b, n)
	if parallelFixtures.byN == nil {
		parallelFixtures.byN = map[int]*parallelFixture{}
	}
	parallelFixtures.byN[n] = f
	return f
}

// parallelDown is the token the authorization server of a fixture fails
// on, with a 500.
const parallelDown = "down"

// newParallelFixture builds a ResourceServer, against an authorization
// server in process that answers for any token, and caches n tokens.
func newParallelFixture(b *testing.B, n int, opts ...core.Option) *parallelFixture {
	b.Helper()
	f := &parallelFixture{headers: make([]string, n)}
	exp := strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10)
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		f.calls.Add(1)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		if form.Get("token") == parallelDown {
			return &http.Response{StatusCode: http.StatusInternalServerError, Header: http.Header{},
				Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
		answer := fmt.Sprintf(`{"active":true,"iss":"https://as.example","client_id":"sp","sub":%q,`+
			`"scope":"openid groups email","token_type":"Bearer","exp":%s}`, form.Get("token"), exp)
		return answerWith("application/json", []byte(answer)), nil
	})}
	st := core.Settings{Backend: core.BackendJSON, ClientID: "rs", ClientSecret: "s", Issuer: "https://as.example",
		IntrospectionEndpoint: "https://as.example/introspect", Scopes: []string{"groups"},
		CacheTTL: time.Hour, CacheSize: max(n, core.DefaultCacheSize),
		ClientAuth: core.ClientSecretPost} // set: the fake transport answers introspection, not discovery
	rs, err := core.New(st, append([]core.Option{core.WithHTTPClient(client)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	f.rs = rs
	for i := range f.headers {
		tok := fmt.Sprintf("%s-%06d", benchOpaqueToken, i)
		f.headers[i] = "Bearer " + tok
		if _, err := core.Verify(context.Background(), rs, tok); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// parallelWriter is one goroutine's ResponseWriter: it counts the answers
// other than 204.
type parallelWriter struct {
	h   http.Header
	bad int
}

func (w *parallelWriter) Header() http.Header         { return w.h }
func (w *parallelWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *parallelWriter) WriteHeader(code int) {
	if code != http.StatusNoContent {
		w.bad++
	}
}

// parallelRoute answers 204, or 500 when it needs a TokenInfo and the
// request carries none; it writes nothing shared.
func parallelRoute(needInfo bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ti, _ := core.FromContext(r.Context()); needInfo && ti == nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// parallelStride walks the tokens out of order, a different start per
// goroutine, so that hits spread over the cache rather than follow the
// order the entries were allocated in.
const parallelStride = 7919 // prime, so every token is visited

// benchParallelHTTP serves the tokens of f through h, each goroutine with
// its own request whose Authorization value it changes in place.
func benchParallelHTTP(b *testing.B, f *parallelFixture, h http.Handler) {
	var start atomic.Int64
	calls := f.calls.Load()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/items", nil)
		auth := []string{""}
		req.Header["Authorization"] = auth
		w := &parallelWriter{h: http.Header{}}
		n := len(f.headers)
		i, step := int(start.Add(1)*104_729)%n, parallelStride%n
		for pb.Next() {
			auth[0] = f.headers[i]
			h.ServeHTTP(w, req)
			if i += step; i >= n {
				i -= n
			}
		}
		if w.bad != 0 {
			b.Errorf("%d answers were not 204", w.bad)
		}
	})
	b.StopTimer()
	if c := f.calls.Load() - calls; c != 0 {
		b.Fatalf("not all cache hits: %d introspections", c)
	}
}

// benchVerifyParallel runs the framework-neutral part of a hit, as
// BenchmarkCachedAuthenticate does, from every goroutine.
func benchVerifyParallel(b *testing.B, f *parallelFixture) {
	var start atomic.Int64
	calls := f.calls.Load()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		bad := 0
		n := len(f.headers)
		i, step := int(start.Add(1)*104_729)%n, parallelStride%n
		for pb.Next() {
			tok, err := core.ExtractToken(f.headers[i])
			if err != nil {
				bad++
			} else if ti, err := core.Verify(ctx, f.rs, tok); err != nil || ti == nil {
				bad++
			}
			if i += step; i >= n {
				i -= n
			}
		}
		if bad != 0 {
			b.Errorf("%d verifications failed", bad)
		}
	})
	b.StopTimer()
	if c := f.calls.Load() - calls; c != 0 {
		b.Fatalf("not all cache hits: %d introspections", c)
	}
}

// BenchmarkBareParallel is the route alone, no middleware.
func BenchmarkBareParallel(b *testing.B) {
	benchParallelHTTP(b, parallelTokens(b, 1), parallelRoute(false))
}

// BenchmarkFloorParallel is the floor of a hit through net/http: a
// middleware that only does context.WithValue and Request.WithContext.
func BenchmarkFloorParallel(b *testing.B) {
	ti, next := &core.TokenInfo{}, parallelRoute(true)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(core.NewContext(r.Context(), ti)))
	})
	benchParallelHTTP(b, parallelTokens(b, 1), h)
}

// BenchmarkCachedHitParallel is the case: every goroutine sends
// the same cached token through rs.Middleware.
func BenchmarkCachedHitParallel(b *testing.B) {
	f := parallelTokens(b, 1)
	benchParallelHTTP(b, f, f.rs.Middleware()(parallelRoute(true)))
}

// BenchmarkVerifyParallel is the same token through ExtractToken and
// Verify, without net/http and the context write.
func BenchmarkVerifyParallel(b *testing.B) { benchVerifyParallel(b, parallelTokens(b, 1)) }

// BenchmarkCachedHitParallelDistinct sends parallelDistinct cached tokens
// through rs.Middleware.
func BenchmarkCachedHitParallelDistinct(b *testing.B) {
	f := parallelTokens(b, parallelDistinct)
	benchParallelHTTP(b, f, f.rs.Middleware()(parallelRoute(true)))
}

// BenchmarkVerifyParallelDistinct verifies parallelDistinct cached tokens.
func BenchmarkVerifyParallelDistinct(b *testing.B) {
	benchVerifyParallel(b, parallelTokens(b, parallelDistinct))
}

// BenchmarkVerifyParallelOutage is BenchmarkVerifyParallel while the
// introspection endpoint fails: every hit is then counted as a request
// served from the cache, in each endpoint's health record, under its
// mutex (monitor.go's cachedOne).
func BenchmarkVerifyParallelOutage(b *testing.B) {
	down := false
	f := newParallelFixture(b, 1, core.WithObserver(core.Observer{Health: func(_ context.Context, h core.HealthChange) {
		down = down || !h.Healthy
	}}))
	if _, err := core.Verify(context.Background(), f.rs, parallelDown); err == nil || !down {
		b.Fatalf("the introspection endpoint is not down: %v", err)
	}
	benchVerifyParallel(b, f)
}
