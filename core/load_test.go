package core_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestLoadMiddleware sends 20,000 requests from 200 goroutines through
// rs.Middleware (httptest recorders; the kit AS on loopback), mixing
// valid, unknown, expired, malformed and missing tokens. Every answer must
// be the right one for its own token, and no goroutine may outlive the
// load.
func TestLoadMiddleware(t *testing.T) {
	const workers, total = 200, 20_000
	as := oidcrstest.Start(t, oidcrstest.Config{})
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	st := as.Settings("")
	st.Timeout = 30 * time.Second   // the machine is shared: this test is about correctness
	st.MaxConcurrentCalls = workers // every worker may call at once: answers, not the call limit, are tested here
	rs, err := core.New(st, core.WithHTTPClient(&http.Client{Transport: tr, Timeout: st.Timeout}))
	require.NoError(t, err)

	valid := make([]string, 600)
	for i := range valid {
		valid[i] = as.Mint(map[string]any{"sub": "user-" + strconv.Itoa(i)})
	}
	expired, unknown := make([]string, 150), make([]string, 150)
	for i := range expired {
		expired[i] = as.Mint(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})
		unknown[i] = randomString(32)
	}
	handler := rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, _ := core.FromContext(r.Context())
		_, _ = io.WriteString(w, ti.Subject)
	}))

	runtime.GC()
	baseline := runtime.NumGoroutine()
	var wrong atomic.Int64
	var firstWrong sync.Once
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < total; i += workers {
				header, status, body := loadRequest(i, valid, expired, unknown)
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if header != "" {
					req.Header.Set("Authorization", header)
				}
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != status || (status == 200 && rec.Body.String() != body) {
					wrong.Add(1)
					firstWrong.Do(func() { t.Errorf("request %d: got %d %q, want %d %q", i, rec.Code, rec.Body, status, body) })
				}
			}
		}()
	}
	wg.Wait()
	assert.Zero(t, wrong.Load(), "wrong answers")
	t.Logf("%d requests, %d introspections", total, as.IntrospectionCalls())

	tr.CloseIdleConnections()
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(15 * time.Second); n > baseline && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	assert.LessOrEqual(t, n, baseline, "goroutines left after the load")
}

// loadRequest returns request i's Authorization header and its expected
// status and body.
func loadRequest(i int, valid, expired, unknown []string) (header string, status int, body string) {
	j, k := i/20, i%20 // each kind walks its whole list
	switch {
	case k < 14:
		v := (j*14 + k) % len(valid)
		return "Bearer " + valid[v], 200, "user-" + strconv.Itoa(v)
	case k < 16:
		return "Bearer " + expired[(j*2+k-14)%len(expired)], 401, ""
	case k < 18:
		return "Bearer " + unknown[(j*2+k-16)%len(unknown)], 401, ""
	case k == 18:
		return "Bearer two tokens", 400, ""
	}
	return "", 401, ""
}

// TestLoadCacheBound pushes 200,000 distinct tokens through a MemoryCache
// of 10,000, from one goroutine per CPU, and checks that it never holds
// more than its bound: the cache is full after its first 10,000 tokens,
// and each of the 190,000 after evicts. It drives the cache directly: the
// full pipeline under -race would take minutes
// (TestLoadCacheBoundThroughPipeline checks the same bound end to end with
// fewer tokens). -short runs 100,000.
func TestLoadCacheBound(t *testing.T) {
	t.Parallel()
	const size = 10_000
	n := 200_000
	if testing.Short() {
		n = 100_000
	}
	const bound = size
	c := core.NewMemoryCache(size)
	now := time.Now()
	e := core.CacheEntry{Info: &core.TokenInfo{}, Expires: now.Add(time.Hour)}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				c.Set(core.KeyOf("token-"+strconv.Itoa(i)), e, now)
				if i%10_000 == 0 {
					assert.LessOrEqual(t, c.Len(), bound, "after %d tokens", i)
				}
			}
		}()
	}
	wg.Wait()
	require.LessOrEqual(t, c.Len(), bound)
	require.Equal(t, c.Len(), c.Entries(), "at rest the count is the maps' size")
	for i := range 1000 { // alone now: a fresh entry must be found
		k := core.KeyOf("last-" + strconv.Itoa(i))
		c.Set(k, e, now)
		got, ok := c.Get(k, now)
		require.True(t, ok, "a fresh entry is missing")
		require.Same(t, e.Info, got.Info)
	}
	require.LessOrEqual(t, c.Len(), bound)
	require.Greater(t, c.Len(), bound/2, "the cache must still be used")
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	t.Logf("%d tokens: %d entries cached (bound %d), heap in use after GC %.1f MiB", n, c.Len(), bound, float64(m.HeapInuse)/(1<<20))
}

// TestLoadCacheBoundThroughPipeline checks the bound end to end: 5,000
// distinct tokens through Introspect, over a RoundTripper AS whose answer
// names each token, with a cache of 1,000 (full after the first 1,000).
func TestLoadCacheBoundThroughPipeline(t *testing.T) {
	t.Parallel()
	const size, n = 1000, 5_000
	const bound = size
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		body := fmt.Sprintf(`{"active":true,"iss":"https://as.example","scope":"groups","client_id":"sp","sub":%q,"exp":%s}`, form.Get("token"), exp)
		return answerWith("application/json", []byte(body)), nil
	})}
	st := core.Settings{Backend: core.BackendJSON, ClientID: "rs", ClientSecret: "s", Issuer: "https://as.example",
		IntrospectionEndpoint: "https://as.example/introspect", Scopes: []string{"groups"}, CacheSize: size,
		ClientAuth: core.ClientSecretPost} // the transport answers introspection alone

	rs, err := core.New(st, core.WithHTTPClient(client))
	require.NoError(t, err)
	for i := range n {
		tok := "tok-" + strconv.Itoa(i)
		ti, err := core.Verify(context.Background(), rs, tok)
		require.NoError(t, err)
		require.Equal(t, tok, ti.Subject)
	}
	require.LessOrEqual(t, core.CacheLen(rs), bound)
	require.Greater(t, core.CacheLen(rs), bound/2)
}
