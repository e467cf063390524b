package core_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The two-level verdict cache on an in-memory store: a miss fills the
// store, another replica's miss is a hit there, values are sealed with the
// cache secrets, Forget reaches every replica, and one replica asks for a
// token while the others wait for its verdict. The same paths are tested
// against a real redis-server in cache/redis.

const btOldCacheSecret = "an-older-cache-secret-of-32-bytes-or-more"

// TestSharedCacheMissFillHit: the first replica asks the authorization
// server and fills the store; a second replica finds the verdict there and
// keeps it in its own cache.
func TestSharedCacheMissFillHit(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			store := newMemStore()
			a, b := btReplica(t, as, store, nil), btReplica(t, as, store, nil)
			tok := as.Mint(map[string]any{"sub": "alice"})

			ti, err := btAuth(a, tok)
			require.NoError(t, err)
			require.Equal(t, "alice", ti.Subject)
			require.EqualValues(t, 1, as.IntrospectionCalls())
			for _, v := range store.waitValues(t, 1) {
				assert.Positive(t, v.ttl)
				assert.LessOrEqual(t, v.ttl, core.DefaultCacheTTL, "no longer than the cache TTL")
			}

			ti, err = btAuth(b, tok)
			require.NoError(t, err)
			assert.Equal(t, "alice", ti.Subject)
			assert.EqualValues(t, 1, as.IntrospectionCalls(), "the second replica's miss is a hit in the store")
			gets := store.count("Get")
			_, err = btAuth(b, tok)
			require.NoError(t, err)
			assert.Equal(t, gets, store.count("Get"), "the second replica kept the verdict in its own cache")
		})
	}
}

// TestSharedCacheLookupsAreObserved: the observer sees each level's
// lookups: a first replica misses both levels, a second misses its own
// and hits the store, then hits its own.
func TestSharedCacheLookupsAreObserved(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	var mu sync.Mutex
	seen := map[string]int{}
	observer := func(name string) core.Option {
		return core.WithObserver(core.Observer{Cache: func(_ context.Context, level int, hit bool) {
			mu.Lock()
			seen[fmt.Sprintf("%s L%d %v", name, level, hit)]++
			mu.Unlock()
		}})
	}
	a, b := btReplica(t, as, store, nil, observer("a")), btReplica(t, as, store, nil, observer("b"))
	tok := as.Mint(nil)
	_, err := btAuth(a, tok)
	require.NoError(t, err)
	store.waitValues(t, 1)
	for range 2 {
		_, err = btAuth(b, tok)
		require.NoError(t, err)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, map[string]int{"a L1 false": 1, "a L2 false": 1, "b L1 false": 1, "b L2 true": 1, "b L1 true": 1}, seen)
}

// TestSharedCacheRejectionsAreShared: a rejection is shared too, for the
// negative TTL at most, and another replica rejects without asking.
func TestSharedCacheRejectionsAreShared(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	a, b := btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	_, err := btAuth(a, "never-minted")
	btRejected(t, a, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	for _, v := range store.waitValues(t, 1) {
		assert.LessOrEqual(t, v.ttl, core.DefaultCacheNegativeTTL)
	}
	_, err = btAuth(b, "never-minted")
	btRejected(t, b, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}

// TestSharedCacheValuesAreSealed: the store sees neither the token nor
// its claims; a value that was altered, moved to another token's key, or
// sealed under another secret is a miss, never a verdict.
func TestSharedCacheValuesAreSealed(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	a := btReplica(t, as, store, nil)
	alice, bob := as.Mint(map[string]any{"sub": "alice"}), as.Mint(map[string]any{"sub": "bob"})
	for _, tok := range []string{alice, bob} {
		_, err := btAuth(a, tok)
		require.NoError(t, err)
	}
	vals := store.waitValues(t, 2)
	var keys []string
	for k, v := range vals {
		keys = append(keys, k)
		for _, secret := range []string{alice, bob, "alice", "bob", btCacheSecret} {
			assert.NotContains(t, k, secret)
			assert.False(t, bytes.Contains(v.val, []byte(secret)), "a value shows %q", secret)
		}
	}
	require.EqualValues(t, 2, as.IntrospectionCalls())

	other := btReplica(t, as, store, []string{btOldCacheSecret})
	ti, err := btAuth(other, alice)
	require.NoError(t, err)
	require.Equal(t, "alice", ti.Subject)
	assert.EqualValues(t, 3, as.IntrospectionCalls(), "another secret reads nothing")

	// Swap the two values: each now sits under the other token's key.
	store.put(keys[0], vals[keys[1]].val)
	store.put(keys[1], vals[keys[0]].val)
	b := btReplica(t, as, store, nil)
	for _, tc := range []struct{ tok, sub string }{{alice, "alice"}, {bob, "bob"}} {
		ti, err := btAuth(b, tc.tok)
		require.NoError(t, err)
		assert.Equal(t, tc.sub, ti.Subject, "a value moved to another key must not open")
	}
	assert.EqualValues(t, 5, as.IntrospectionCalls(), "moved values are misses")

	// Flip one bit of a value: it no longer opens.
	c := btReplica(t, as, store, nil)
	for k, v := range store.values() {
		v.val[len(v.val)-1] ^= 1
		store.put(k, v.val)
	}
	ti, err = btAuth(c, alice)
	require.NoError(t, err)
	assert.Equal(t, "alice", ti.Subject)
	assert.EqualValues(t, 6, as.IntrospectionCalls(), "an altered value is a miss")
}

// TestSharedCacheSecretRotation: a replica with "new,old" reads what the
// old secret sealed, writes under the new one, and Forget deletes the
// token's values under both.
func TestSharedCacheSecretRotation(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	old := btReplica(t, as, store, []string{btOldCacheSecret})
	rotating := btReplica(t, as, store, []string{btCacheSecret, btOldCacheSecret})
	onlyNew := btReplica(t, as, store, []string{btCacheSecret})

	tok := as.Mint(nil)
	_, err := btAuth(old, tok)
	require.NoError(t, err)
	store.waitValues(t, 1)
	_, err = btAuth(rotating, tok)
	require.NoError(t, err)
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "the old secret still opens what it sealed")

	tok2 := as.Mint(nil)
	_, err = btAuth(rotating, tok2)
	require.NoError(t, err)
	store.waitValues(t, 2)
	_, err = btAuth(onlyNew, tok2)
	require.NoError(t, err)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the rotating replica writes under the new secret")

	require.NoError(t, rotating.Forget(context.Background(), tok))
	assert.Len(t, store.values(), 1, "Forget deletes the token's value under every secret")
}

// TestSharedCacheOneReplicaAsks: while one replica asks for a token,
// another one waits for its verdict instead of asking too.
func TestSharedCacheOneReplicaAsks(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	held := holdAnswers(t, as)
	held.held.Store(true)
	release := held.release
	store := newMemStore()
	a, b := btReplica(t, as, store, nil), btReplica(t, as, store, nil)
	tok := as.Mint(map[string]any{"sub": "alice"})

	var wg sync.WaitGroup
	subjects := make([]string, 2)
	for i, rs := range []*core.ResourceServer{a, b} {
		if i == 1 { // a holds the lock and waits on the authorization server
			require.Eventually(t, func() bool { return as.IntrospectionCalls() == 1 }, 20*time.Second, time.Millisecond)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			ti, err := btAuth(rs, tok)
			if assert.NoError(t, err) {
				subjects[i] = ti.Subject
			}
		}()
	}
	gets := store.count("Get")
	require.Eventually(t, func() bool { return store.count("Get") >= gets+2 }, 20*time.Second, time.Millisecond,
		"the second replica polls the store")
	release()
	wg.Wait()
	assert.Equal(t, []string{"alice", "alice"}, subjects)
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "one replica asked")
	require.Eventually(t, func() bool { return store.locks() == 0 }, 20*time.Second, time.Millisecond,
		"the lock is released")
}

// TestSharedCacheReadsAgainAfterTheLock: a replica that read no value,
// then won the lock after another replica wrote the value and released
// it, takes the value rather than asking the authorization server again.
func TestSharedCacheReadsAgainAfterTheLock(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store := newMemStore()
	a := btReplica(t, as, store, nil)
	tok := as.Mint(nil)
	_, err := btAuth(a, tok)
	require.NoError(t, err)
	store.waitValues(t, 1)
	require.Eventually(t, func() bool { return store.locks() == 0 }, 20*time.Second, time.Millisecond,
		"a's lock is released in the background")
	b := btReplica(t, as, &staleFirstGet{SharedStore: store}, nil)
	_, err = btAuth(b, tok)
	require.NoError(t, err)
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "b found a's value after winning the lock")
}

// staleFirstGet answers its first Get as if nothing were stored yet: the
// read that raced with another replica's write.
type staleFirstGet struct {
	core.SharedStore
	done atomic.Bool
}

func (s *staleFirstGet) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	if s.done.CompareAndSwap(false, true) {
		return make([][]byte, len(keys)), nil
	}
	return s.SharedStore.Get(ctx, keys...)
}
