package core_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// aheadClock is a fixed clock half a minute ahead: tokens minted now are
// valid on it (no iat in its future), and the answers of the JWT mode are
// not stale on it.
func aheadClock() *btClock {
	c := newBTClock()
	c.Advance(30 * time.Second)
	return c
}

// pauseWarns counts the Warn records about a pause.
func pauseWarns(t *testing.T, logs *btLogSink) int {
	n := 0
	for _, r := range logs.records(t) {
		if r["level"] == "WARN" && strings.Contains(r["msg"].(string), "asked for a pause") {
			n++
		}
	}
	return n
}

// TestRetryAfterPausesTheEndpoint: a 429 with Retry-After: 7 stops the
// introspection calls for 7 s of the resource server's clock. The requests
// that need a call meanwhile make none and are answered 503 with what
// remains of the pause; a cached token is answered; the pause is logged
// once at Warn, and the refusals are not failures of the authorization
// server. Once the pause is over, the authorization server is asked again.
func TestRetryAfterPausesTheEndpoint(t *testing.T) {
	clock := aheadClock()
	logger, logs := btLogger()
	var health, paused atomic.Int64
	obs := core.Observer{
		Health: func(context.Context, core.HealthChange) { health.Add(1) },
		Decision: func(_ context.Context, d core.Decision) {
			if d.Description == core.DescASPaused {
				paused.Add(1)
			}
		},
	}
	as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithClock(clock.Now), core.WithLogger(logger), core.WithObserver(obs)}})
	health.Store(0) // count the changes after New's announcement of healthy endpoints
	h := rs.Middleware()(perfOK)
	cached := as.Mint(nil)
	require.Equal(t, http.StatusNoContent, perfGet(h, cached))

	as.SetFault(&oidcrstest.FaultTooManyRequests)
	w := perfServe(h, as.Mint(nil))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.Equal(t, "7", w.Header().Get("Retry-After"), "the authorization server's own")
	calls := as.IntrospectionCalls()
	require.EqualValues(t, 1, health.Load(), "the 429 is a failure of the endpoint")

	var got []string
	for range 13 { // 0 to 6 s into the pause, every half second
		w := perfServe(h, as.Mint(nil))
		assert.Equal(t, http.StatusServiceUnavailable, w.Code)
		assert.Equal(t, core.DescASPaused, btErrorBody(t, w.Body.String())["error_description"])
		got = append(got, w.Header().Get("Retry-After"))
		assert.Equal(t, http.StatusNoContent, perfGet(h, cached), "cached tokens are not paused")
		clock.Advance(500 * time.Millisecond)
	}
	assert.Equal(t, []string{"7", "7", "6", "6", "5", "5", "4", "4", "3", "3", "2", "2", "1"}, got)
	assert.Equal(t, calls, as.IntrospectionCalls(), "no call during the pause")
	assert.EqualValues(t, 13, paused.Load(), "each refusal reaches the observer")
	assert.EqualValues(t, 1, health.Load(), "the refusals are not failures")
	assert.Equal(t, 1, pauseWarns(t, logs), "one Warn for the pause, not one per request")

	as.SetFault(nil)
	clock.Advance(500 * time.Millisecond) // 7 s: the pause is over
	assert.Equal(t, http.StatusNoContent, perfGet(h, as.Mint(nil)))
	assert.Equal(t, calls+1, as.IntrospectionCalls(), "asked again once the pause is over")
}

// TestRetryAfterBounds: an HTTP-date Retry-After is honoured too, and no
// pause lasts more than a minute, however long the authorization server
// asks for; 0 and malformed values pause nothing.
func TestRetryAfterBounds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value func(now time.Time) string
		pause time.Duration
	}{
		{"HTTP date, capped", func(now time.Time) string { return now.Add(10 * time.Minute).UTC().Format(http.TimeFormat) }, core.MaxPause},
		{"seconds, capped", func(time.Time) string { return "86400" }, core.MaxPause},
		{"HTTP date", func(now time.Time) string {
			return now.Add(30 * time.Second).Truncate(time.Second).UTC().Format(http.TimeFormat)
		}, 0},
		{"zero", func(time.Time) string { return "0" }, 0},
		{"malformed", func(time.Time) string { return "soon" }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := aheadClock()
			as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithClock(clock.Now)}})
			h := rs.Middleware()(perfOK)
			v := tc.value(clock.Now())
			pause := tc.pause
			if tc.name == "HTTP date" {
				pause = clock.Now().Add(30 * time.Second).Truncate(time.Second).Sub(clock.Now())
			}
			as.SetFault(&oidcrstest.Fault{Status: http.StatusServiceUnavailable, Header: http.Header{"Retry-After": {v}}})
			require.Equal(t, http.StatusServiceUnavailable, perfGet(h, as.Mint(nil)))
			as.SetFault(nil)
			calls := as.IntrospectionCalls()
			if pause > 0 {
				clock.Advance(pause - time.Millisecond)
				w := perfServe(h, as.Mint(nil))
				assert.Equal(t, http.StatusServiceUnavailable, w.Code, "still paused")
				assert.Equal(t, "1", w.Header().Get("Retry-After"))
				assert.Equal(t, calls, as.IntrospectionCalls())
				clock.Advance(time.Millisecond)
			}
			assert.Equal(t, http.StatusNoContent, perfGet(h, as.Mint(nil)), "the pause is over")
			assert.Equal(t, calls+1, as.IntrospectionCalls())
		})
	}
}

// TestRetryAfterPausesOnlyThatEndpoint: a pause of the key set's endpoint
// leaves the introspection endpoint alone.
func TestRetryAfterPausesOnlyThatEndpoint(t *testing.T) {
	clock := aheadClock()
	as, rs := startPerf(t, perfSetup{mode: oidcrstest.JWT, ec: true, opts: []core.Option{core.WithClock(clock.Now)}})
	h := rs.Middleware()(perfOK)
	as.SetJWKSFault(&oidcrstest.FaultTooManyRequests)
	require.Equal(t, http.StatusServiceUnavailable, perfGet(h, as.Mint(nil)))
	jwks := as.JWKSCalls()
	as.SetJWKSFault(nil)
	clock.Advance(6 * time.Second) // past the 5 s between refreshes, within the pause
	intro := as.IntrospectionCalls()
	w := perfServe(h, as.Mint(nil))
	assert.Equal(t, intro+1, as.IntrospectionCalls(), "the introspection endpoint is not paused")
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	assert.Equal(t, jwks, as.JWKSCalls(), "the key set's endpoint is paused")
	clock.Advance(time.Second)
	assert.Equal(t, http.StatusNoContent, perfGet(h, as.Mint(nil)))
	assert.Greater(t, as.JWKSCalls(), jwks)
}
