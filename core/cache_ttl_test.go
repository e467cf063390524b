package core_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// How long the cache keeps a verdict, counted in the calls the fake
// authorization server receives: a good token until its exp or
// OIDC_RS_CACHE_TTL, a rejection for the negative TTL, a failure never.

func TestCountingSequentialRequestsIntrospectOnce(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	for i := range 1000 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok), "request %d", i)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
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
		// Without Retry-After: one pauses the calls (see retryafter_test.go).
		{name: "429", fault: oidcrstest.Fault{Status: http.StatusTooManyRequests}, status: http.StatusServiceUnavailable},
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
