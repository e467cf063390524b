package core_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestSharedCacheForget: Forget on one replica deletes the shared value
// and drops the verdict from every replica's own cache, by a sealed
// message that names no token; a message that does not open is ignored.
func TestSharedCacheForget(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	a, b := btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	tok, keep := as.Mint(nil), as.Mint(nil)
	for i, tok := range []string{tok, keep} {
		_, err := btAuth(a, tok)
		require.NoError(t, err)
		store.waitValues(t, i+1)
		_, err = btAuth(b, tok)
		require.NoError(t, err)
	}
	require.EqualValues(t, 2, as.IntrospectionCalls())
	require.Equal(t, 2, core.CacheLen(b))

	// A forged message first: the store delivers in order, so once the
	// real one has been handled the forged one was handled before it.
	require.NoError(t, store.Publish(context.Background(), "oidcrs:v1:invalidate", bytes.Repeat([]byte{1}, 60)))
	as.Revoke(tok)
	require.NoError(t, a.Forget(context.Background(), tok))
	assert.Len(t, store.values(), 1, "the shared value is gone")
	require.Eventually(t, func() bool { return core.CacheLen(b) == 1 }, 20*time.Second, time.Millisecond,
		"the other replica drops its own entry")
	for _, msg := range store.published() {
		assert.False(t, bytes.Contains(msg, []byte(tok)), "an invalidation names no token")
	}

	_, err := btAuth(b, tok)
	btRejected(t, b, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	_, err = btAuth(b, keep)
	require.NoError(t, err)
	assert.EqualValues(t, 3, as.IntrospectionCalls(), "only the forgotten token is asked again")
}

// TestSharedCacheForgetReachesEverySecret: during a rotation, a replica on
// "new,old" that forgets a token reaches a replica still on "old" alone:
// its invalidation goes out under every secret.
func TestSharedCacheForgetReachesEverySecret(t *testing.T) {
	t.Parallel()
	const newSecret = "a-new-cache-secret-of-at-least-32-bytes"
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	rotated := btReplica(t, as, store, []string{newSecret, btCacheSecret})
	old := btReplica(t, as, store, []string{btCacheSecret})
	tok := as.Mint(nil)
	for _, rs := range []*core.ResourceServer{rotated, old} {
		_, err := btAuth(rs, tok)
		require.NoError(t, err)
		require.True(t, core.CacheHas(rs, core.KeyFor(rs, tok)))
	}
	require.NoError(t, rotated.Forget(context.Background(), tok))
	require.Eventually(t, func() bool { return !core.CacheHas(old, core.KeyFor(old, tok)) }, 20*time.Second, time.Millisecond,
		"the replica on the old secret alone dropped the token")
}

// TestSharedCacheForgetWaitsForItsOwnWrite: a request's verdict is written
// in the background; a Forget on the same replica right after it (a logout
// handler authenticated by the token) waits for that write, so that the
// value is not written again after the delete.
func TestSharedCacheForgetWaitsForItsOwnWrite(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	store.holdSet = make(chan struct{})
	rs := btReplica(t, as, store, nil)
	tok := as.Mint(nil)
	_, err := btAuth(rs, tok) // its write waits in Set
	require.NoError(t, err)
	forgot := make(chan error, 1)
	go func() { forgot <- rs.Forget(context.Background(), tok) }()
	close(store.holdSet)
	require.NoError(t, <-forgot)
	require.NoError(t, rs.Close()) // every write in flight has ended
	assert.Empty(t, store.values(), "no value outlives the Forget")
}

// TestSharedCacheForgetErrors: Forget says when it could not do its work
// in the store, and names the store, not the authorization server: a
// marker not written, a value not deleted, or an invalidation that reached
// no replica (every publish failed). This replica's own entry is dropped
// all the same.
func TestSharedCacheForgetErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method string
		want   string
	}{
		{method: "Set", want: "marker"},
		{method: "Delete", want: "delete"},
		{method: "Publish", want: "no replica"},
	} {
		t.Run(tc.method, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			store := newMemStore()
			rs := btReplica(t, as, store, []string{btCacheSecret, btOldCacheSecret}) // one publish per secret
			tok := as.Mint(nil)
			_, err := btAuth(rs, tok)
			require.NoError(t, err)
			store.waitValues(t, 1)
			store.failOn(tc.method)

			err = rs.Forget(context.Background(), tok)
			require.Error(t, err)
			assert.ErrorIs(t, err, errStoreDown)
			assert.NotErrorIs(t, err, core.ErrUnavailable)
			assert.Contains(t, err.Error(), "shared store")
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "authorization server")
			assert.False(t, core.CacheHas(rs, core.KeyFor(rs, tok)), "this replica's entry is dropped")
		})
	}
}
