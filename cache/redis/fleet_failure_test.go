package rediscache_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Redis is never a single point of failure. Each outage is made by a
// condition (Redis killed, or paused so that it never answers), and each
// time bound below only tells a request that was answered from one that
// waited for Redis to come back: the bounds are far from both. The
// measured figures go to the log.

// run sends each token to each replica concurrently and returns the
// slowest answer; every answer must be want[token].
func run(t *testing.T, f *fleet, want map[string]int) time.Duration {
	t.Helper()
	var mu sync.Mutex
	var slowest time.Duration
	var wg sync.WaitGroup
	for tok, code := range want {
		for _, rs := range f.rss {
			wg.Go(func() {
				start := time.Now()
				got := status(rs, tok)
				d := time.Since(start)
				assert.Equal(t, code, got)
				mu.Lock()
				slowest = max(slowest, d)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	return slowest
}

func TestFleetRedisKilledMidRun(t *testing.T) {
	f := startFleet(t, 4)
	want := map[string]int{}
	for range 5 {
		want[f.mint()] = http.StatusOK
	}
	revoked := f.mint()
	f.as.Revoke(revoked)
	want[revoked] = http.StatusUnauthorized
	run(t, f, want)

	f.redis.Kill()
	for range 5 { // cached tokens, and fresh ones: the first level and the authorization server
		want[f.mint()] = http.StatusOK
	}
	for range 3 {
		// A killed Redis refuses connections at once; the authorization
		// server answers. Nothing waits for Redis, nor for a lock.
		slowest := run(t, f, want)
		require.Less(t, slowest, f.rss[0].Settings().Timeout, "no request waits as long as OIDC_TIMEOUT")
		t.Logf("Redis down: slowest answer %v", slowest)
	}

	f.redis.Restart(t)
	start := time.Now()
	require.Eventually(t, func() bool {
		tok := f.mint()
		calls := f.calls()
		for _, rs := range f.rss {
			if status(rs, tok) != http.StatusOK {
				return false
			}
		}
		return f.calls() == calls+1
	}, waitLimit, 50*time.Millisecond, "sharing resumes after Redis is back")
	t.Logf("sharing resumed %v after the restart", time.Since(start).Round(time.Millisecond))
}

func TestFleetRedisPaused(t *testing.T) {
	f := startFleet(t, 0)
	// A paused Redis never answers: every call ends by OIDC_RS_CACHE_TIMEOUT
	// (1 s here) or never. Without that timeout these requests would hang
	// until Resume; with it they are all answered, well within
	// OIDC_TIMEOUT (30 s), which bounds nothing here.
	st := fleetSettings(f.as, fleetSecret)
	st.CacheTimeout = time.Second
	for range 4 {
		f.replica(t, st)
	}
	warm := f.mint()
	run(t, f, map[string]int{warm: http.StatusOK})
	f.redis.Pause()
	defer f.redis.Resume()
	want := map[string]int{warm: http.StatusOK}
	for range 5 {
		want[f.mint()] = http.StatusOK
	}
	slowest := run(t, f, want)
	require.Less(t, slowest, st.Timeout/2, "answered without Redis")
	t.Logf("Redis paused: slowest answer %v (OIDC_RS_CACHE_TIMEOUT %v)", slowest, st.CacheTimeout)
}

func TestFleetForget(t *testing.T) {
	f := startFleet(t, 2)
	a, b := f.rss[0], f.rss[1]
	tok := f.mint()
	require.Equal(t, http.StatusOK, status(a, tok))
	require.Equal(t, http.StatusOK, status(b, tok))
	require.EqualValues(t, 1, f.calls())

	f.as.Revoke(tok)
	require.NoError(t, a.Forget(context.Background(), tok))
	done := time.Now()
	require.Eventually(t, func() bool { return status(b, tok) == http.StatusUnauthorized }, waitLimit, time.Millisecond)
	t.Logf("replica B refused the forgotten token %v after Forget returned", time.Since(done).Round(time.Microsecond))
	assert.EqualValues(t, 2, f.calls(), "B asked the authorization server again")
	require.Equal(t, http.StatusUnauthorized, status(a, tok))
}
