package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// staleReplica builds a replica sharing verdicts through store, on clock,
// with a TTL of a minute and the given window.
func staleReplica(t *testing.T, as *oidcrstest.Server, store core.SharedStore, clock *btClock, window time.Duration, edit func(*core.Settings), opts ...core.Option) *core.ResourceServer {
	t.Helper()
	rs := btRS(t, as, func(s *core.Settings) {
		s.DisableCache = false
		s.CacheSecrets = []string{btCacheSecret}
		s.CacheTimeout = 10 * time.Second
		s.Timeout = 20 * time.Second
		s.CacheTTL = staleTTL
		s.CacheStaleIfError = window
		if edit != nil {
			edit(s)
		}
	}, append(opts, core.WithClock(clock.Now), core.WithSharedCache(store))...)
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}

// TestStaleIfErrorFromTheSharedCache: the store keeps a verified answer
// for its TTL plus the window; past the TTL, another replica uses it only
// when the authorization server fails, and counts it at level 2.
func TestStaleIfErrorFromTheSharedCache(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	clock := newBTClock()
	var obs staleCounts
	a := staleReplica(t, as, store, clock, staleWindow, nil)
	c := staleReplica(t, as, store, clock, staleWindow, nil)
	b := staleReplica(t, as, store, clock, staleWindow, nil, obs.option())
	tok := as.Mint(nil)
	_, err := btAuth(a, tok)
	require.NoError(t, err)
	for _, v := range store.waitValues(t, 1) {
		assert.Equal(t, staleTTL+staleWindow, v.ttl, "the store keeps the value for the TTL plus the window")
	}

	clock.Advance(staleTTL)
	_, err = btAuth(c, tok) // the server works: a value past its TTL is no hit
	require.NoError(t, err)
	require.EqualValues(t, 2, as.IntrospectionCalls(), "asked again")
	require.Eventually(t, func() bool { return store.count("Set") == 2 }, 20*time.Second, time.Millisecond)

	clock.Advance(staleTTL)
	as.SetFault(&oidcrstest.FaultServerError)
	_, err = btAuth(b, tok)
	require.NoError(t, err, "the store's value is used on error")
	assert.Equal(t, 1, obs.uses(2))
	assert.Zero(t, obs.uses(1))
	assert.Zero(t, obs.lookups("hit L2"), "a stale value is no hit")

	clock.Advance(staleWindow)
	_, err = btAuth(b, tok)
	requireUnavailable(t, err, "past the window")
	assert.Equal(t, 1, obs.uses(2))
}

// TestStaleIfErrorFromTheSharedCacheOnlyOnError: while the server works, a
// value past its TTL is not used: the token is asked again, and a
// rejection voids the value for every replica, although this server does
// not share rejections.
func TestStaleIfErrorFromTheSharedCacheOnlyOnError(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	clock := newBTClock()
	noNegative := func(s *core.Settings) { s.DisableNegativeCache = true }
	a := staleReplica(t, as, store, clock, staleWindow, noNegative)
	b := staleReplica(t, as, store, clock, staleWindow, noNegative)
	c := staleReplica(t, as, store, clock, staleWindow, noNegative)
	tok := as.Mint(nil)
	_, err := btAuth(a, tok)
	require.NoError(t, err)
	store.waitValues(t, 1)

	clock.Advance(staleTTL)
	as.Revoke(tok)
	_, err = btAuth(b, tok)
	require.Error(t, err, "asked again, and rejected")
	as.SetFault(&oidcrstest.FaultDown)
	_, err = btAuth(c, tok)
	requireUnavailable(t, err, "the rejected token's value is void")
}

// TestStaleIfErrorNotAfterForgetFromTheSharedCache: after Forget, a value
// past its TTL is neither read from the store nor resurrected by writing
// it back: the Forget marker lives as long as the value may.
func TestStaleIfErrorNotAfterForgetFromTheSharedCache(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	clock := newBTClock()
	a := staleReplica(t, as, store, clock, staleWindow, nil)
	b := staleReplica(t, as, store, clock, staleWindow, nil)
	tok := as.Mint(nil)
	_, err := btAuth(a, tok)
	require.NoError(t, err)
	saved := store.waitValues(t, 1)

	clock.Advance(staleTTL)
	require.NoError(t, a.Forget(context.Background(), tok))
	for _, m := range store.markers() {
		assert.Equal(t, staleTTL+staleWindow, m.ttl, "the marker outlives the value")
	}
	as.SetFault(&oidcrstest.FaultServerError)
	_, err = btAuth(b, tok)
	requireUnavailable(t, err, "the value is gone")
	for key, v := range saved {
		store.put(key, v.val) // written back by someone with write access
	}
	_, err = btAuth(b, tok)
	requireUnavailable(t, err, "a value written back is void")
	_, err = btAuth(a, tok)
	requireUnavailable(t, err, "the replica that forgot has no stale entry")
}
