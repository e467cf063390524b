package core_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Stale-if-error: a verified answer past its cache TTL is used for
// OIDC_RS_CACHE_STALE_IF_ERROR while the authorization server is down or
// answers 5xx or 429, never past the token's exp, never for a token
// rejected or forgotten; each use is counted by the observer.

const (
	staleTTL    = time.Minute
	staleWindow = 30 * time.Second
)

// staleCounts counts what the observer sees: stale uses and cache
// lookups, by level.
type staleCounts struct {
	mu     sync.Mutex
	stale  map[int]int
	lookup map[string]int
}

func (c *staleCounts) option() core.Option {
	c.stale, c.lookup = map[int]int{}, map[string]int{}
	return core.WithObserver(core.Observer{
		Stale: func(_ context.Context, level int) { c.mu.Lock(); c.stale[level]++; c.mu.Unlock() },
		Cache: func(_ context.Context, level int, hit bool) {
			c.mu.Lock()
			c.lookup[map[bool]string{true: "hit", false: "miss"}[hit]+map[int]string{1: " L1", 2: " L2"}[level]]++
			c.mu.Unlock()
		},
	})
}

func (c *staleCounts) uses(level int) int { c.mu.Lock(); defer c.mu.Unlock(); return c.stale[level] }

func (c *staleCounts) lookups(what string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookup[what]
}

// staleRS builds a resource server on a fake clock with a TTL of a minute
// and the given window; edit adjusts its settings further.
func staleRS(t *testing.T, as *oidcrstest.Server, window time.Duration, edit func(*core.Settings), opts ...core.Option) (*core.ResourceServer, *btClock) {
	t.Helper()
	clock := newBTClock()
	rs := btRS(t, as, func(s *core.Settings) {
		s.DisableCache = false
		s.CacheTTL = staleTTL
		s.CacheStaleIfError = window
		if edit != nil {
			edit(s)
		}
	}, append(opts, core.WithClock(clock.Now))...)
	return rs, clock
}

func requireUnavailable(t *testing.T, err error, msg string) {
	t.Helper()
	require.Error(t, err, msg)
	assert.True(t, errors.Is(err, core.ErrUnavailable), "%s: %v", msg, err)
}

// TestStaleIfErrorRidesOutAnOutage: past its TTL, a verified answer is
// used for the window when the authorization server fails as an outage
// does, and asked again each time; not for an answer that must be heard.
func TestStaleIfErrorRidesOutAnOutage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   oidcrstest.Fault
		timeout time.Duration // OIDC_TIMEOUT, when the fault is a delay
		stale   bool
	}{
		{name: "500", fault: oidcrstest.FaultServerError, stale: true},
		{name: "503", fault: oidcrstest.Fault{Status: http.StatusServiceUnavailable}, stale: true},
		{name: "down", fault: oidcrstest.FaultDown, stale: true},
		{name: "timeout", fault: oidcrstest.Fault{Delay: 3 * time.Second}, timeout: 300 * time.Millisecond, stale: true},
		{name: "429", fault: oidcrstest.Fault{Status: http.StatusTooManyRequests}, stale: true},
		{name: "404", fault: oidcrstest.Fault{Status: http.StatusNotFound}},
		{name: "400", fault: oidcrstest.Fault{Status: http.StatusBadRequest, ContentType: "application/json", Body: []byte(`{"error":"invalid_request"}`)}},
		{name: "untrusted answer", fault: oidcrstest.FaultGarbage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			var obs staleCounts
			rs, clock := staleRS(t, as, staleWindow, func(s *core.Settings) {
				if tc.timeout > 0 {
					s.Timeout = tc.timeout
				}
			}, obs.option())
			tok := as.Mint(nil)
			_, err := btAuth(rs, tok)
			require.NoError(t, err)

			as.SetFault(&tc.fault)
			clock.Advance(staleTTL)
			ti, err := btAuth(rs, tok)
			if !tc.stale {
				require.Error(t, err)
				assert.False(t, errors.Is(err, core.ErrInvalidToken), "%v", err)
				assert.Zero(t, obs.uses(1))
				return
			}
			require.NoError(t, err, "the stale answer is used")
			assert.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
			clock.Advance(staleWindow - time.Second)
			_, err = btAuth(rs, tok)
			require.NoError(t, err, "still inside the window")
			// A dropped connection is sent again once, by net/http.
			assert.GreaterOrEqual(t, as.IntrospectionCalls(), int64(3), "the server is asked each time")
			assert.Equal(t, 2, obs.uses(1), "each stale use is counted")
			assert.Equal(t, 3, obs.lookups("miss L1"), "a stale entry is no hit")
			assert.Zero(t, obs.lookups("hit L1"))

			clock.Advance(time.Second)
			_, err = btAuth(rs, tok)
			requireUnavailable(t, err, "past the window")
			assert.Equal(t, 2, obs.uses(1))

			as.SetFault(nil)
			_, err = btAuth(rs, tok)
			require.NoError(t, err, "the server is back")
		})
	}
}

// TestStaleIfErrorNeverPastExp: the window ends at the token's exp, and a
// token whose exp ends its TTL gets none.
func TestStaleIfErrorNeverPastExp(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, clock := staleRS(t, as, staleWindow, nil)
	t0 := clock.Now()
	soon := as.Mint(map[string]any{"exp": t0.Add(staleTTL + 10*time.Second).Unix()})
	sooner := as.Mint(map[string]any{"exp": t0.Add(staleTTL / 2).Unix()})
	for _, tok := range []string{soon, sooner} {
		_, err := btAuth(rs, tok)
		require.NoError(t, err)
	}
	as.SetFault(&oidcrstest.FaultServerError)
	clock.Advance(staleTTL/2 + time.Second)
	_, err := btAuth(rs, sooner)
	requireUnavailable(t, err, "an entry that ended at exp")

	clock.Advance(staleTTL/2 + 4*time.Second)
	_, err = btAuth(rs, soon)
	require.NoError(t, err, "inside the window, before exp")
	clock.Advance(5 * time.Second)
	_, err = btAuth(rs, soon)
	requireUnavailable(t, err, "at exp, inside the window")
}

// TestStaleIfErrorNotForRejectedTokens: once the server said the token is
// inactive, its old verified answer is never used again, whether the
// rejection is cached or not.
func TestStaleIfErrorNotForRejectedTokens(t *testing.T) {
	t.Parallel()
	for name, negative := range map[string]bool{"negative cache on": true, "negative cache off": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			rs, clock := staleRS(t, as, staleWindow, func(s *core.Settings) { s.DisableNegativeCache = !negative })
			tok := as.Mint(nil)
			_, err := btAuth(rs, tok)
			require.NoError(t, err)
			clock.Advance(staleTTL)
			as.Revoke(tok)
			_, err = btAuth(rs, tok)
			btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
			clock.Advance(core.DefaultCacheNegativeTTL)
			as.SetFault(&oidcrstest.FaultServerError)
			_, err = btAuth(rs, tok)
			requireUnavailable(t, err, "a rejected token")
		})
	}
}

// TestStaleIfErrorNotAfterForget: Forget drops the stale entry too.
func TestStaleIfErrorNotAfterForget(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, clock := staleRS(t, as, staleWindow, nil)
	tok, kept := as.Mint(nil), as.Mint(nil)
	for _, tok := range []string{tok, kept} {
		_, err := btAuth(rs, tok)
		require.NoError(t, err)
	}
	clock.Advance(staleTTL)
	require.NoError(t, rs.Forget(context.Background(), tok))
	as.SetFault(&oidcrstest.FaultDown)
	_, err := btAuth(rs, tok)
	requireUnavailable(t, err, "a forgotten token")
	_, err = btAuth(rs, kept)
	require.NoError(t, err, "the other token's stale answer is used")
}

// TestStaleIfErrorOffByDefault: without the setting, an answer past its
// TTL is never used.
func TestStaleIfErrorOffByDefault(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var obs staleCounts
	rs, clock := staleRS(t, as, 0, nil, obs.option())
	tok := as.Mint(nil)
	_, err := btAuth(rs, tok)
	require.NoError(t, err)
	clock.Advance(staleTTL)
	as.SetFault(&oidcrstest.FaultServerError)
	_, err = btAuth(rs, tok)
	requireUnavailable(t, err, "stale-if-error is off")
	assert.Zero(t, obs.uses(1))
}

// TestStaleIfErrorDuringAPause: an authorization server that answers 429
// with Retry-After pauses its endpoint; meanwhile the stale answer is used
// without asking it, and after the pause it is asked again.
func TestStaleIfErrorDuringAPause(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var obs staleCounts
	rs, clock := staleRS(t, as, staleWindow, nil, obs.option())
	tok := as.Mint(nil)
	_, err := btAuth(rs, tok)
	require.NoError(t, err)

	as.SetFault(&oidcrstest.FaultTooManyRequests) // Retry-After: 7
	clock.Advance(staleTTL)
	_, err = btAuth(rs, tok)
	require.NoError(t, err, "the 429 itself: the stale answer")
	calls := as.IntrospectionCalls()
	clock.Advance(3 * time.Second)
	_, err = btAuth(rs, tok)
	require.NoError(t, err, "during the pause: the stale answer")
	assert.Equal(t, calls, as.IntrospectionCalls(), "the paused endpoint is not asked")
	assert.Equal(t, 2, obs.uses(1))

	as.SetFault(nil)
	clock.Advance(5 * time.Second)
	_, err = btAuth(rs, tok)
	require.NoError(t, err)
	assert.Equal(t, calls+1, as.IntrospectionCalls(), "after the pause, asked again")
	assert.Equal(t, 2, obs.uses(1), "a fresh answer is no stale use")
}
