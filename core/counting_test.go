package core_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// These tests count what the cache and the flight group exist to keep few:
// the calls the fake authorization server receives, and the allocations of
// a cache hit.

func TestCountingSequentialRequestsIntrospectOnce(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	for i := range 1000 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok), "request %d", i)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}

func TestCountingConcurrentRequestsIntrospectOnce(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	// A slow authorization server keeps the first call in flight while the
	// others arrive: they must join it rather than ask again.
	as.SetFault(&oidcrstest.Fault{Delay: 300 * time.Millisecond})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	codes := perfConcurrent(200, 0, func(int) int { return perfGet(h, tok) })
	for i, c := range codes {
		require.Equal(t, http.StatusNoContent, c, "request %d", i)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}

func TestCountingJWTModeFetchesJWKSOnce(t *testing.T) {
	as, rs := startPerf(t, perfSetup{mode: oidcrstest.JWT, ec: true,
		edit: func(s *core.Settings) { s.DisableCache = true }})
	h := rs.Middleware()(perfOK)
	// One token per request: concurrent requests with one token would share
	// a call even without the cache.
	toks := make([]string, 1000)
	for i := range toks {
		toks[i] = as.Mint(nil)
	}
	codes := perfConcurrent(len(toks), 8, func(i int) int { return perfGet(h, toks[i]) })
	for i, c := range codes {
		require.Equal(t, http.StatusNoContent, c, "request %d", i)
	}
	assert.EqualValues(t, 1000, as.IntrospectionCalls(), "the cache is off: every request is introspected")
	assert.EqualValues(t, 1, as.JWKSCalls())
}

func TestCountingExpiredTokenIsIntrospectedAgain(t *testing.T) {
	clock := newPerfClock()
	as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithClock(clock.Now)}})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(map[string]any{"exp": clock.Now().Add(2 * time.Second).Unix()})

	for range 2 {
		w := perfServe(h, tok)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
	}
	require.EqualValues(t, 1, as.IntrospectionCalls(), "second request is a cache hit")

	clock.Advance(3 * time.Second)
	w := perfServe(h, tok)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Contains(t, w.Header().Get("WWW-Authenticate"), `error="invalid_token"`)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "an entry is never used past the token's exp")
}

func TestCountingCacheTTLFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ttl   string // OIDC_RS_CACHE_TTL, "" for unset
		calls int64
	}{
		{name: "unset caches", ttl: "", calls: 1},
		{name: "30 caches", ttl: "30", calls: 1},
		{name: "0 introspects every request", ttl: "0", calls: 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as := oidcrstest.Start(t, oidcrstest.Config{})
			env := map[string]string{
				"OIDC_RS_BACKEND_CLASS":          core.DjangoJSONBackendClass,
				"OIDC_RS_CLIENT_ID":              oidcrstest.DefaultClientID,
				"OIDC_RS_CLIENT_SECRET":          oidcrstest.DefaultClientSecret,
				"OIDC_OP_URL":                    as.URL,
				"OIDC_OP_INTROSPECTION_ENDPOINT": as.IntrospectionURL(),
				"OIDC_RS_SCOPES":                 oidcrstest.DefaultScope,
			}
			if tc.ttl != "" {
				env["OIDC_RS_CACHE_TTL"] = tc.ttl
			}
			rs, err := core.NewFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
			require.NoError(t, err)
			h := rs.Middleware()(perfOK)
			tok := as.Mint(nil)
			for range 50 {
				require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			}
			assert.Equal(t, tc.calls, as.IntrospectionCalls())
		})
	}
}

func TestCountingNegativeCache(t *testing.T) {
	clock := newPerfClock()
	as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithClock(clock.Now)}})
	h := rs.Middleware()(perfOK)

	for range 100 {
		require.Equal(t, http.StatusUnauthorized, perfGet(h, "unknown-token"))
	}
	require.EqualValues(t, 1, as.IntrospectionCalls(), "an inactive answer is cached")

	clock.Advance(core.DefaultCacheNegativeTTL - time.Second)
	require.Equal(t, http.StatusUnauthorized, perfGet(h, "unknown-token"))
	require.EqualValues(t, 1, as.IntrospectionCalls(), "still within the negative TTL")

	clock.Advance(2 * time.Second)
	require.Equal(t, http.StatusUnauthorized, perfGet(h, "unknown-token"))
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "asked again after the negative TTL")
}

func TestCountingFailuresAreNeverCached(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  oidcrstest.Fault
		status int
	}{
		{name: "5xx", fault: oidcrstest.FaultServerError, status: http.StatusServiceUnavailable},
		{name: "429", fault: oidcrstest.FaultTooManyRequests, status: http.StatusServiceUnavailable},
		{name: "connection dropped", fault: oidcrstest.FaultDown, status: http.StatusServiceUnavailable},
		{name: "garbage", fault: oidcrstest.FaultGarbage, status: http.StatusBadGateway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as, rs := startPerf(t, perfSetup{})
			h := rs.Middleware()(perfOK)
			tok := as.Mint(nil)
			as.SetFault(&tc.fault)
			for i := range 3 {
				require.Equal(t, tc.status, perfGet(h, tok))
				require.GreaterOrEqual(t, as.IntrospectionCalls(), int64(i+1), "every failed request asks again")
			}
			as.SetFault(nil)
			before := as.IntrospectionCalls()
			require.Equal(t, http.StatusNoContent, perfGet(h, tok), "the failure was not cached")
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			assert.Equal(t, before+1, as.IntrospectionCalls(), "the good answer is cached")
		})
	}
}

// TestHotPathAllocations pins the allocation budget of a cache hit: none
// to extract, hash and look up the token, at most 3 for the middleware
// (it makes 2: the context value and the request copy).
func TestHotPathAllocations(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		allocs      float64
	}{
		{name: "opaque", token: benchOpaqueToken},
		{name: "JWT-shaped", token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl"},
		{name: "base64 of binary", token: strings.Repeat("a1b2c3d4", 100)},
		{name: "base64 of text", token: base64.StdEncoding.EncodeToString([]byte(benchOpaqueToken)), allocs: 1},
	} {
		t.Run("ExtractToken "+tc.name, func(t *testing.T) {
			hdr := "Bearer " + tc.token
			assert.Equal(t, tc.allocs, testing.AllocsPerRun(100, func() { _, _ = core.ExtractToken(hdr) }))
		})
	}
	as, rs := startPerf(t, perfSetup{})
	as.SetAnswer(benchOpaqueToken, benchAnswer(as))
	ctx, hdr := context.Background(), "Bearer "+benchOpaqueToken
	_, err := authenticate(rs, ctx, hdr)
	require.NoError(t, err)
	t.Run("Authenticate", func(t *testing.T) {
		// One allocation: the context that carries the TokenInfo.
		hdrs := []string{hdr}
		assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _, _ = rs.Authenticate(ctx, hdrs) }))
	})
	t.Run("token check alone", func(t *testing.T) {
		tok, err := core.ExtractToken(hdr)
		require.NoError(t, err)
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = core.Verify(ctx, rs, tok) }))
	})
	t.Run("Middleware", func(t *testing.T) {
		h := rs.Middleware()(benchHandler)
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/items", nil)
		req.Header.Set("Authorization", hdr)
		w := httptest.NewRecorder()
		assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { h.ServeHTTP(w, req) }), 3.0)
		assert.Equal(t, http.StatusNoContent, w.Code)
	})
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}

// perfClock is the real clock moved forward by Advance, for core.WithClock;
// it is safe for concurrent use. It never runs behind the fake
// authorization server, which stamps iat from the real clock.
type perfClock struct{ offset atomic.Int64 }

func newPerfClock() *perfClock { return &perfClock{} }

func (c *perfClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *perfClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Resource server keys, generated once: RSA generation is slow under -race.
var (
	perfRSAKey = sync.OnceValues(func() (string, error) { return oidcrstest.GenerateRSAKeyPEM(2048) })
	perfECKey  = sync.OnceValues(oidcrstest.GenerateECKeyPEM)
)

// perfSetup describes a fake authorization server and a resource server
// trusting it.
type perfSetup struct {
	mode oidcrstest.Mode // JSON by default
	// ec selects, in JWT mode, ECDH-ES + A256GCM answers signed ES256;
	// otherwise RSA-OAEP + A256GCM signed RS256.
	ec   bool
	edit func(*core.Settings)
	opts []core.Option
}

// startPerf starts the fake authorization server and a resource server;
// in JWT mode the server encrypts to the resource server's public key.
func startPerf(tb testing.TB, p perfSetup) (*oidcrstest.Server, *core.ResourceServer) {
	tb.Helper()
	cfg := oidcrstest.Config{Mode: p.mode}
	var pem, keyType string
	if p.mode == oidcrstest.JWT {
		var err error
		if p.ec {
			pem, err = perfECKey()
			keyType, cfg.KeyAlg, cfg.SigningAlg = "EC", jose.ECDH_ES, jose.ES256
		} else {
			pem, err = perfRSAKey()
			keyType, cfg.KeyAlg, cfg.SigningAlg = "RSA", jose.RSA_OAEP, jose.RS256
		}
		require.NoError(tb, err)
		cfg.ContentEnc = jose.A256GCM
		keys, err := core.ParsePrivateKeys(pem, keyType)
		require.NoError(tb, err)
		pub := keys[0].Public()
		pub.Algorithm = string(cfg.KeyAlg)
		cfg.RSKey = &pub
	}
	as := oidcrstest.Start(tb, cfg)
	st := as.Settings(pem)
	st.KeyType = keyType
	if p.edit != nil {
		p.edit(&st)
	}
	rs, err := core.New(st, p.opts...)
	require.NoError(tb, err)
	return as, rs
}

// perfOK answers 204 when the middleware put a TokenInfo in the context,
// 500 otherwise.
var perfOK = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, ok := core.FromContext(r.Context()); !ok {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
})

// perfServe sends one GET with token to h.
func perfServe(h http.Handler, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func perfGet(h http.Handler, token string) int { return perfServe(h, token).Code }

// perfConcurrent runs n calls of f on workers goroutines released at once
// (workers <= 0: one goroutine per call) and returns their results.
func perfConcurrent(n, workers int, f func(i int) int) []int {
	if workers <= 0 || workers > n {
		workers = n
	}
	out := make([]int, n)
	var next atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			<-start
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i] = f(i)
			}
		})
	}
	close(start)
	wg.Wait()
	return out
}
