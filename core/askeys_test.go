package core_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The authorization server's signing keys: fetched once, refreshed for an
// unknown kid at most every 5 s, kept while the JWKS endpoint fails. The
// cache of answers is off so that every request verifies a signature.

// startJWKSTest starts JWT mode (EC, fast) on a movable clock.
func startJWKSTest(t *testing.T) (*oidcrstest.Server, http.Handler, *perfClock) {
	clock := newPerfClock()
	as, rs := startPerf(t, perfSetup{mode: oidcrstest.JWT, ec: true,
		// The clock moves hours ahead of the kit's real-time iat: the
		// replay bound is not what these tests are about.
		edit: func(s *core.Settings) { s.DisableCache = true; s.JWTMaxAge = 72 * time.Hour },
		opts: []core.Option{core.WithClock(clock.Now)}})
	return as, rs.Middleware()(perfOK), clock
}

// signWithKID makes as sign its answers with kid in the JWS header.
func signWithKID(t *testing.T, as *oidcrstest.Server, kid string) {
	as.SetAnswerFunc(func(_ string, claims map[string]any) (int, string, []byte) {
		payload, err := json.Marshal(map[string]any{"iss": as.URL, "aud": oidcrstest.DefaultClientID,
			"iat": time.Now().Unix(), "token_introspection": claims})
		if err != nil {
			return http.StatusInternalServerError, "application/json", nil
		}
		jws, err := as.Sign(payload, map[jose.HeaderKey]any{"kid": kid})
		if err != nil {
			return http.StatusInternalServerError, "application/json", nil
		}
		jwe, err := as.Encrypt([]byte(jws), nil)
		if err != nil {
			return http.StatusInternalServerError, "application/json", nil
		}
		return http.StatusOK, "application/token-introspection+jwt", []byte(jwe)
	})
}

// TestASKeysUnknownKIDRefreshesAtMostEvery5s: an RFC 9701 answer signed
// with an unknown kid refreshes the key set at most once every 5 s. While
// a refresh is not allowed the answer cannot be verified yet: 503 with
// Retry-After. After a refresh that did not find the kid either, it is an
// untrusted answer: 502.
func TestASKeysUnknownKIDRefreshesAtMostEvery5s(t *testing.T) {
	as, h, clock := startJWKSTest(t)
	tok := as.Mint(nil)
	require.Equal(t, http.StatusNoContent, perfGet(h, tok))
	require.EqualValues(t, 1, as.JWKSCalls())

	signWithKID(t, as, "unknown-kid")
	requireNotYet(t, perfServe(h, tok))
	require.EqualValues(t, 1, as.JWKSCalls(), "within 5 s of the last fetch: no fetch")

	clock.Advance(6 * time.Second)
	require.Equal(t, http.StatusBadGateway, perfGet(h, tok), "refreshed, and still unknown")
	for range 10 {
		requireNotYet(t, perfServe(h, tok)) // the next refresh may bring it
	}
	require.EqualValues(t, 2, as.JWKSCalls(), "eleven requests, one refresh")

	clock.Advance(4 * time.Second)
	requireNotYet(t, perfServe(h, tok))
	require.EqualValues(t, 2, as.JWKSCalls(), "4 s after the refresh: no fetch")

	clock.Advance(2 * time.Second)
	toks := make([]string, 30)
	for i := range toks {
		toks[i] = as.Mint(nil)
	}
	// A request that reaches the key set once the shared refresh is over
	// may not refresh again: 503. Which requests do is a matter of timing.
	for _, code := range perfConcurrent(len(toks), 0, func(i int) int { return perfGet(h, toks[i]) }) {
		require.Contains(t, []int{http.StatusBadGateway, http.StatusServiceUnavailable}, code)
	}
	require.EqualValues(t, 3, as.JWKSCalls(), "thirty concurrent requests, one refresh")

	// The authorization server rotates: its new kid is fetched once the
	// 5 s have passed, then served from the cache.
	require.NoError(t, as.RotateSigningKey())
	as.SetAnswerFunc(nil)
	requireNotYet(t, perfServe(h, tok))
	require.EqualValues(t, 3, as.JWKSCalls())
	clock.Advance(6 * time.Second)
	for range 10 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok))
	}
	assert.EqualValues(t, 4, as.JWKSCalls())
}

// requireNotYet asserts the answer to a kid that the next allowed refresh
// may bring: 503 temporarily_unavailable, never invalid_token, with the
// seconds until that refresh as Retry-After.
func requireNotYet(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "body: %s", w.Body)
	assert.Empty(t, w.Header().Get("WWW-Authenticate"), "never invalid_token: the token may be good")
	assert.Equal(t, "temporarily_unavailable", btErrorBody(t, w.Body.String())["error"])
	secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", w.Header().Get("Retry-After"))
	assert.True(t, secs >= 1 && secs <= 5, "Retry-After %d: the seconds until the next refresh", secs)
}

func TestASKeysHonourMaxAgeWithinBounds(t *testing.T) {
	for _, tc := range []struct {
		cacheControl string
		age          time.Duration
	}{
		{cacheControl: "max-age=120", age: 2 * time.Minute},
		{cacheControl: `public, max-age="3600"`, age: time.Hour},
		{cacheControl: "max-age=5", age: time.Minute},                // floor
		{cacheControl: "max-age=172800", age: 24 * time.Hour},        // ceiling
		{cacheControl: "", age: 10 * time.Minute},                    // default
		{cacheControl: "no-cache", age: 10 * time.Minute},            // default
		{cacheControl: "max-age=-1, private", age: 10 * time.Minute}, // unreadable
	} {
		t.Run(tc.cacheControl, func(t *testing.T) {
			as, h, clock := startJWKSTest(t)
			serveJWKSWith(t, as, tc.cacheControl)
			tok := as.Mint(map[string]any{"exp": time.Now().Add(48 * time.Hour).Unix()})
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			require.EqualValues(t, 1, as.JWKSCalls())

			clock.Advance(tc.age - time.Second)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			require.EqualValues(t, 1, as.JWKSCalls(), "fresh just before max-age")

			clock.Advance(2 * time.Second)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			assert.EqualValues(t, 2, as.JWKSCalls(), "fetched again after max-age")
		})
	}
}

// serveJWKSWith makes as serve its JWKS with a Cache-Control header.
func serveJWKSWith(t *testing.T, as *oidcrstest.Server, cacheControl string) {
	resp, err := http.Get(as.JWKSURL())
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	hdr := http.Header{}
	if cacheControl != "" {
		hdr.Set("Cache-Control", cacheControl)
	}
	as.SetJWKSFault(&oidcrstest.Fault{Status: http.StatusOK, ContentType: "application/json", Header: hdr, Body: body})
	as.ResetCounts()
}

func TestASKeysAreKeptWhileTheJWKSEndpointFails(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault oidcrstest.Fault
	}{
		{name: "5xx", fault: oidcrstest.FaultServerError},
		// Without Retry-After: one pauses the calls (see retryafter_test.go).
		{name: "429", fault: oidcrstest.Fault{Status: http.StatusTooManyRequests}},
		{name: "connection dropped", fault: oidcrstest.FaultDown},
		{name: "garbage", fault: oidcrstest.FaultGarbage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as, h, clock := startJWKSTest(t)
			tok := as.Mint(map[string]any{"exp": time.Now().Add(48 * time.Hour).Unix()})
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))

			// Counts are compared, not fixed: net/http retries a GET once
			// when a kept-alive connection is dropped.
			as.SetJWKSFault(&tc.fault)
			clock.Advance(11 * time.Minute) // past the default max-age
			require.Equal(t, http.StatusNoContent, perfGet(h, tok), "the old keys still verify")
			tried := as.JWKSCalls()
			require.Greater(t, tried, int64(1), "a refresh was tried")
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			require.Equal(t, tried, as.JWKSCalls(), "a failed refresh is not retried within 5 s")

			clock.Advance(6 * time.Second)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			require.Greater(t, as.JWKSCalls(), tried, "retried after 5 s")

			as.SetJWKSFault(nil)
			clock.Advance(6 * time.Second)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			fetched := as.JWKSCalls()
			clock.Advance(time.Minute)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			assert.Equal(t, fetched, as.JWKSCalls(), "the refresh succeeded: the keys are fresh again")
		})
	}
}

func TestASKeysFirstFetchFailureFailsClosed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  oidcrstest.Fault
		status int
	}{
		{name: "5xx", fault: oidcrstest.FaultServerError, status: http.StatusServiceUnavailable},
		{name: "connection dropped", fault: oidcrstest.FaultDown, status: http.StatusServiceUnavailable},
		{name: "garbage", fault: oidcrstest.FaultGarbage, status: http.StatusBadGateway},
		{name: "empty key set", fault: oidcrstest.Fault{Status: http.StatusOK, ContentType: "application/json", Body: []byte(`{"keys":[]}`)}, status: http.StatusBadGateway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as, h, clock := startJWKSTest(t)
			as.SetJWKSFault(&tc.fault)
			tok := as.Mint(nil)
			w := perfServe(h, tok)
			require.Equal(t, tc.status, w.Code)
			assert.Empty(t, w.Header().Get("WWW-Authenticate"), "never invalid_token: the token may be good")
			tried := as.JWKSCalls() // net/http may retry a dropped GET once
			require.Equal(t, tc.status, perfGet(h, tok))
			require.Equal(t, tried, as.JWKSCalls(), "no second fetch within 5 s")

			as.SetJWKSFault(nil)
			clock.Advance(6 * time.Second)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			assert.Equal(t, tried+1, as.JWKSCalls())
		})
	}
}

func TestCountingJWTModeFetchesJWKSOnce(t *testing.T) {
	as, rs := startPerf(t, perfSetup{mode: oidcrstest.JWT, ec: true,
		edit: func(s *core.Settings) { s.DisableCache = true }})
	h := rs.Middleware()(perfOK)
	// One token per request: concurrent requests with one token would share
	// a call even without the cache.
	toks := make([]string, 200)
	for i := range toks {
		toks[i] = as.Mint(nil)
	}
	codes := perfConcurrent(len(toks), 8, func(i int) int { return perfGet(h, toks[i]) })
	for i, c := range codes {
		require.Equal(t, http.StatusNoContent, c, "request %d", i)
	}
	assert.EqualValues(t, len(toks), as.IntrospectionCalls(), "the cache is off: every request is introspected")
	assert.EqualValues(t, 1, as.JWKSCalls())
}
