package core_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Forget leaves a marker in the store, under every secret, that outlives
// the values it makes void: a value sealed before the Forget is not used
// by any replica, whether someone with write access to the store writes
// it back or a background write lands late. A marker that does not open
// voids the value too. A value written after the marker is used.

// btReplay writes saved back into store, as someone with write access to
// the store could after a Forget.
func btReplay(store *memStore, saved map[string]memValue) {
	for k, v := range saved {
		store.put(k, v.val)
	}
}

// TestSharedCacheForgetVoidsAReplayedValue: a value saved before a Forget
// and written back after it is ignored; the next replica asks again, and
// what it writes then, after the marker, is shared as usual.
func TestSharedCacheForgetVoidsAReplayedValue(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	a, b, c := btReplica(t, as, store, nil), btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	tok := as.Mint(nil)
	_, err := btAuth(a, tok)
	require.NoError(t, err)
	saved := store.waitValues(t, 1)

	as.Revoke(tok)
	require.NoError(t, a.Forget(context.Background(), tok))
	require.Empty(t, store.values())
	markers := store.markers()
	assert.Len(t, markers, 1)
	for k, m := range markers {
		assert.Equal(t, core.DefaultCacheTTL, m.ttl, "a marker lives as long as a value may")
		for vk := range saved {
			assert.Equal(t, vk+":forgot", k, "the marker shares the value's hash tag")
		}
	}

	btReplay(store, saved)
	_, err = btAuth(b, tok)
	btRejected(t, b, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	require.EqualValues(t, 2, as.IntrospectionCalls(), "the replayed value was ignored")

	// b's verdict, obtained after the Forget, replaces the replayed value.
	for k, v := range saved {
		require.Eventually(t, func() bool { return !bytes.Equal(store.values()[k].val, v.val) }, 20*time.Second, time.Millisecond,
			"b writes its verdict")
	}
	_, err = btAuth(c, tok)
	btRejected(t, c, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "a value written after the marker is shared")
}

// TestSharedCacheForgetVoidsALateWrite: a request's verdict is written in
// the background; when the Forget that follows does not wait for it (its
// context is already done), the write lands after the delete, and the
// marker still voids it.
func TestSharedCacheForgetVoidsALateWrite(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	store.holdSet = make(chan struct{})
	release := sync.OnceFunc(func() { close(store.holdSet) })
	a, b := btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	t.Cleanup(release) // before the replicas' Close, which waits for the write
	tok := as.Mint(nil)
	_, err := btAuth(a, tok) // its write waits in Set
	require.NoError(t, err)

	as.Revoke(tok)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.NoError(t, a.Forget(ctx, tok), "the marker and the delete are made all the same")
	assert.Len(t, store.markers(), 1)
	release()
	store.waitValues(t, 1) // the write landed after the Forget

	_, err = btAuth(b, tok)
	btRejected(t, b, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the late value was ignored")
}

// TestSharedCacheForgetVoidsAVerdictInFlight: a verdict is sealed with the
// time read before the authorization server was asked, so one that was
// on its way when another replica forgot the token (the answer predates
// the revocation) is void, although it is written after the Forget.
func TestSharedCacheForgetVoidsAVerdictInFlight(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	held := holdAnswers(t, as)
	held.held.Store(true)
	release := held.release
	store := newMemStore()
	a, b, c := btReplica(t, as, store, nil), btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	tok := as.Mint(nil)
	asked := make(chan error, 1)
	go func() { _, err := btAuth(a, tok); asked <- err }()
	require.Eventually(t, func() bool { return as.IntrospectionCalls() == 1 }, 20*time.Second, time.Millisecond)

	as.Revoke(tok)
	require.NoError(t, b.Forget(context.Background(), tok))
	release()
	require.NoError(t, <-asked, "a got the answer given before the revocation")
	store.waitValues(t, 1) // and wrote it after the Forget

	_, err := btAuth(c, tok)
	btRejected(t, c, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the verdict in flight was void")
}

// TestSharedCacheForgetDuringRotation: a replica on "new,old" and one on
// "old" alone each void the value the other wrote: the first writes its
// marker under both secrets, and a replica on "new,old" reads the markers
// under both.
func TestSharedCacheForgetDuringRotation(t *testing.T) {
	t.Parallel()
	rotation := []string{btCacheSecret, btOldCacheSecret}
	old := []string{btOldCacheSecret}
	for _, tc := range []struct {
		name                    string
		writer, forgets, reader []string
		markers                 int
	}{
		{name: "new,old forgets old's value", writer: old, forgets: rotation, reader: old, markers: 2},
		{name: "old forgets new,old's value", writer: rotation, forgets: old, reader: rotation, markers: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			store := newMemStore()
			writer, forgets := btReplica(t, as, store, tc.writer), btReplica(t, as, store, tc.forgets)
			tok := as.Mint(nil)
			_, err := btAuth(writer, tok)
			require.NoError(t, err)
			saved := store.waitValues(t, 1)

			as.Revoke(tok)
			require.NoError(t, forgets.Forget(context.Background(), tok))
			assert.Len(t, store.markers(), tc.markers, "a marker under each secret of the replica that forgets")
			btReplay(store, saved) // a no-op when the value could not be deleted

			reader := btReplica(t, as, store, tc.reader)
			_, err = btAuth(reader, tok)
			btRejected(t, reader, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
			assert.EqualValues(t, 2, as.IntrospectionCalls(), "the value sealed before the Forget was ignored")
		})
	}
}

// TestSharedCacheForgetMarkerFailsClosed: a marker that does not open
// (garbage, a value moved there, another token's marker) voids the value
// as a marker would, for every reader: something wrote it that should not
// have, and the value cannot be trusted to be fresh.
func TestSharedCacheForgetMarkerFailsClosed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		marker func(t *testing.T, as *oidcrstest.Server, a *core.ResourceServer, store *memStore, value []byte) []byte
	}{
		{name: "garbage", marker: func(*testing.T, *oidcrstest.Server, *core.ResourceServer, *memStore, []byte) []byte {
			return []byte("garbage")
		}},
		{name: "the value moved there", marker: func(_ *testing.T, _ *oidcrstest.Server, _ *core.ResourceServer, _ *memStore, value []byte) []byte {
			return value
		}},
		{name: "another token's marker", marker: func(t *testing.T, as *oidcrstest.Server, a *core.ResourceServer, store *memStore, _ []byte) []byte {
			require.NoError(t, a.Forget(context.Background(), as.Mint(nil)))
			for _, m := range store.markers() {
				return m.val
			}
			t.Fatal("no marker")
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			store := newMemStore()
			a := btReplica(t, as, store, nil)
			tok := as.Mint(nil)
			_, err := btAuth(a, tok)
			require.NoError(t, err)
			for k, v := range store.waitValues(t, 1) {
				store.put(k+":forgot", tc.marker(t, as, a, store, v.val))
			}
			for i := range 2 {
				_, err = btAuth(btReplica(t, as, store, nil), tok)
				require.NoError(t, err)
				assert.EqualValues(t, 2+i, as.IntrospectionCalls(), "reader %d asked", i+1)
			}
		})
	}
}
