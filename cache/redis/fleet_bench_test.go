package rediscache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// Benchmarks of the two levels, run side by side in one process against
// one redis-server and one fake authorization server on loopback:
//
//	L1HitLocal / L1HitShared   a first-level hit without and with Redis configured
//	L2Hit                      an empty first level, the verdict in Redis
//	StoreGet                   the network part of an L2 hit: one MGET of a value and its lock
//	IntrospectJSON             a loopback introspection, JSON backend, no cache
//
// The decrypt-and-check part of an L2 hit is BenchmarkSharedOpen in core.

type benchEnv struct {
	as    *oidcrstest.Server
	redis *redistest.Server
}

func newBenchEnv(b *testing.B) *benchEnv {
	return &benchEnv{as: oidcrstest.Start(b, oidcrstest.Config{}), redis: redistest.Start(b)}
}

func (e *benchEnv) rs(b *testing.B, shared bool, edit func(*core.Settings)) *core.ResourceServer {
	st := fleetSettings(e.as, fleetSecret)
	if edit != nil {
		edit(&st)
	}
	var opts []core.Option
	if shared {
		store, err := rediscache.Open(e.redis.URL(), st.CacheTimeout)
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, core.WithSharedCache(store))
	}
	rs, err := core.New(st, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rs.Close() })
	return rs
}

// serve runs the middleware on a prebuilt request for each token in turn,
// after one warm-up round and, if not nil, settled.
func serve(b *testing.B, rs *core.ResourceServer, settled func(), tokens ...string) {
	h := rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	reqs := make([]*http.Request, len(tokens))
	for i, tok := range tokens {
		reqs[i] = httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
		reqs[i].Header.Set("Authorization", "Bearer "+tok)
	}
	w := &codeWriter{h: http.Header{}}
	for _, r := range reqs { // warm: fill the caches
		h.ServeHTTP(w, r)
	}
	if settled != nil {
		settled()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w.code = 0
		h.ServeHTTP(w, reqs[i%len(reqs)])
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// settled waits, bounded, until Redis holds n verdicts and no lock: the
// shared writes are in the background.
func (e *benchEnv) settled(b *testing.B, n int) func() {
	return func() {
		rdb := redisClient(b, e.redis)
		deadline := time.Now().Add(waitLimit)
		for {
			keys, err := rdb.Keys(context.Background(), "oidcrs:*").Result()
			if err != nil {
				b.Fatal(err)
			}
			locks := 0
			for _, k := range keys {
				if strings.HasSuffix(k, ":lock") {
					locks++
				}
			}
			if locks == 0 && len(keys) == n {
				return
			}
			if time.Now().After(deadline) {
				b.Fatalf("Redis holds %d keys (%d locks), want %d verdicts", len(keys), locks, n)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func BenchmarkL1HitLocal(b *testing.B) {
	e := newBenchEnv(b)
	serve(b, e.rs(b, false, nil), nil, e.as.Mint(map[string]any{"scope": fleetScope}))
}

func BenchmarkL1HitShared(b *testing.B) {
	e := newBenchEnv(b)
	serve(b, e.rs(b, true, nil), e.settled(b, 1), e.as.Mint(map[string]any{"scope": fleetScope}))
}

// BenchmarkL2Hit alternates two tokens through a first level that holds
// one entry: every request misses it and finds its verdict in Redis.
func BenchmarkL2Hit(b *testing.B) {
	e := newBenchEnv(b)
	rs := e.rs(b, true, func(s *core.Settings) { s.CacheSize = 1 })
	toks := []string{e.as.Mint(map[string]any{"scope": fleetScope}), e.as.Mint(map[string]any{"scope": fleetScope})}
	serve(b, rs, e.settled(b, len(toks)), toks...)
	b.StopTimer()
	if n := e.as.IntrospectionCalls(); n != 2 {
		b.Fatalf("%d introspections, want 2: not every request was an L2 hit", n)
	}
}

func BenchmarkStoreGet(b *testing.B) {
	e := newBenchEnv(b)
	store, err := rediscache.Open(e.redis.URL(), time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	key := "oidcrs:v1:{bench}"
	if err := store.Set(ctx, key, make([]byte, 600), time.Minute); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.Get(ctx, key, key+":lock"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIntrospectJSON(b *testing.B) {
	e := newBenchEnv(b)
	serve(b, e.rs(b, false, func(s *core.Settings) { s.DisableCache = true }), nil, e.as.Mint(map[string]any{"scope": fleetScope}))
}

// codeWriter keeps the status and drops the rest.
type codeWriter struct {
	h    http.Header
	code int
}

func (w *codeWriter) Header() http.Header         { return w.h }
func (w *codeWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *codeWriter) WriteHeader(code int)        { w.code = code }
