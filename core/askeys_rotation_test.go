package core_test

import (
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The authorization server starts signing with a new kid: a token that
// names a kid the key set may not be refreshed for yet is 503 with
// Retry-After, never a cached invalid_token; the next allowed refresh
// picks the key up. The clock stands still unless a test moves it.

// rotationRS builds a local resource server with the cache on, on clock,
// with the kit's keys fetched once.
func rotationRS(t *testing.T, as *oidcrstest.Server, clock *btClock, opts ...core.Option) *core.ResourceServer {
	t.Helper()
	st := as.AccessTokenSettings()
	st.Leeway = time.Minute // the clock stands still while the kit mints
	rs, err := core.New(st, append(opts, core.WithClock(clock.Now))...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	_, err = btAuth(rs, as.MintAccessToken(nil, nil))
	require.NoError(t, err)
	return rs
}

// requireRetryLater asserts a 503 for a kid not fetched yet, with
// Retry-After the seconds until the next allowed refresh.
func requireRetryLater(t *testing.T, rs *core.ResourceServer, err error, retryAfter string) {
	t.Helper()
	resp := btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescJWKSFailed)
	btNotInvalidToken(t, err)
	assert.Equal(t, "temporarily_unavailable", resp.Body.Error)
	assert.Empty(t, resp.WWWAuthenticate)
	assert.Equal(t, retryAfter, resp.RetryAfter)
}

func TestAccessTokenKeyRotation(t *testing.T) {
	t.Parallel()
	clock := newBTClock()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	rs := rotationRS(t, as, clock)
	require.EqualValues(t, 1, as.JWKSCalls())

	require.NoError(t, as.RotateSigningKey())
	fresh := as.MintAccessToken(nil, nil)
	_, err := btAuth(rs, fresh)
	requireRetryLater(t, rs, err, "5")
	clock.Advance(2 * time.Second)
	_, err = btAuth(rs, fresh)
	requireRetryLater(t, rs, err, "3") // not cached: asked again
	clock.Advance(1500 * time.Millisecond)
	_, err = btAuth(rs, fresh)
	requireRetryLater(t, rs, err, "2") // 1.5 s, rounded up
	clock.Advance(time.Second)
	_, err = btAuth(rs, fresh)
	requireRetryLater(t, rs, err, "1")
	assert.EqualValues(t, 1, as.JWKSCalls(), "within 5 s of the last fetch: no refresh")

	clock.Advance(500 * time.Millisecond)
	_, err = btAuth(rs, fresh)
	require.NoError(t, err, "the next allowed refresh brings the new key")
	assert.EqualValues(t, 2, as.JWKSCalls(), "one refresh")
}

// TestAccessTokenUnknownKID: a kid that a refresh made for the request
// does not find either is refused, 401 as before.
func TestAccessTokenUnknownKID(t *testing.T) {
	t.Parallel()
	clock := newBTClock()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	rs := rotationRS(t, as, clock)
	forged := as.MintAccessToken(nil, map[jose.HeaderKey]any{"kid": "no-such-kid"})
	_, err := btAuth(rs, forged)
	requireRetryLater(t, rs, err, "5")

	clock.Advance(5 * time.Second)
	_, err = btAuth(rs, forged)
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenSignature)
	assert.EqualValues(t, 2, as.JWKSCalls(), "one refresh, made for this request")
	_, err = btAuth(rs, forged)
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenSignature) // the cached verdict

	other := as.MintAccessToken(nil, map[jose.HeaderKey]any{"kid": "another-kid"})
	_, err = btAuth(rs, other)
	requireRetryLater(t, rs, err, "5")
	assert.EqualValues(t, 2, as.JWKSCalls())
}

// TestAccessTokenRotationIsNotShared: the 503 of a kid not fetched yet
// reaches neither cache level: the shared store is not written, and both
// replicas accept the token once their next refresh is allowed.
func TestAccessTokenRotationIsNotShared(t *testing.T) {
	t.Parallel()
	clock := newBTClock()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	store := newMemStore()
	replica := func() *core.ResourceServer {
		st := as.AccessTokenSettings()
		st.Leeway, st.CacheSecrets = time.Minute, []string{btCacheSecret}
		st.CacheTimeout, st.Timeout = 10*time.Second, 20*time.Second
		rs, err := core.New(st, core.WithClock(clock.Now), core.WithSharedCache(store))
		require.NoError(t, err)
		t.Cleanup(func() { _ = rs.Close() })
		_, err = btAuth(rs, as.MintAccessToken(nil, nil)) // fetches the keys
		require.NoError(t, err)
		return rs
	}
	a, b := replica(), replica()
	store.waitValues(t, 2) // the two good verdicts; writes are in the background
	sets, unlocks := store.count("Set"), store.count("DeleteIfEqual")

	require.NoError(t, as.RotateSigningKey())
	fresh := as.MintAccessToken(nil, nil)
	_, err := btAuth(a, fresh)
	requireRetryLater(t, a, err, "5")
	// The lock on the token is released after any write, in the same
	// background call.
	require.Eventually(t, func() bool { return store.count("DeleteIfEqual") > unlocks }, 20*time.Second, time.Millisecond)
	assert.Equal(t, sets, store.count("Set"), "the 503 is not written to the shared cache")
	_, err = btAuth(b, fresh)
	requireRetryLater(t, b, err, "5")

	clock.Advance(5 * time.Second)
	for _, rs := range []*core.ResourceServer{a, b} {
		_, err = btAuth(rs, fresh)
		require.NoError(t, err)
	}
	// The second replica may find the first's verdict in the shared cache
	// before it refreshes: how many refreshes is a matter of timing.
	assert.GreaterOrEqual(t, as.JWKSCalls(), int64(3), "the first replica refreshed")
}
