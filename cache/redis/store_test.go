package rediscache_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

func TestGet(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	require.NoError(t, rdb.Set(bounded(t), "{a}:1", "one", time.Minute).Err())
	require.NoError(t, rdb.Set(bounded(t), "{a}:3", "", time.Minute).Err())

	got, err := store.Get(bounded(t), "{a}:1", "{a}:2", "{a}:3")
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []byte("one"), got[0])
	assert.Nil(t, got[1], "a missing key is nil")
	assert.NotNil(t, got[2], "an empty value is not a missing key")
	assert.Empty(t, got[2])

	got, err = store.Get(bounded(t))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestGetIsOneRoundTrip(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	before := commandCalls(t, rdb, "mget")
	_, err := store.Get(bounded(t), "{k}:1", "{k}:2", "{k}:3")
	require.NoError(t, err)
	assert.Equal(t, before+1, commandCalls(t, rdb, "mget"))
	assert.Zero(t, commandCalls(t, rdb, "get"), "no GET per key")
}

func TestSet(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	const ttl = 10 * time.Second
	require.NoError(t, store.Set(bounded(t), "k", []byte("v\x00\xff"), ttl))

	v, err := rdb.Get(bounded(t), "k").Bytes()
	require.NoError(t, err)
	assert.Equal(t, []byte("v\x00\xff"), v, "values are bytes, not text")
	pttl, err := rdb.PTTL(bounded(t), "k").Result()
	require.NoError(t, err)
	assert.Greater(t, pttl, time.Duration(0))
	assert.LessOrEqual(t, pttl, ttl)

	require.NoError(t, store.Set(bounded(t), "short", []byte("v"), 1500*time.Microsecond))
	pttl, err = rdb.PTTL(bounded(t), "short").Result()
	require.NoError(t, err)
	assert.LessOrEqual(t, pttl, 2*time.Millisecond, "rounded up to whole milliseconds")

	assert.Error(t, store.Set(bounded(t), "k", []byte("v"), 0), "never forever")
	assert.Error(t, store.Set(bounded(t), "k", []byte("v"), -time.Second))
}

func TestSetNX(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	ok, err := store.SetNX(bounded(t), "lock", []byte("me"), 5*time.Second)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = store.SetNX(bounded(t), "lock", []byte("other"), 5*time.Second)
	require.NoError(t, err)
	assert.False(t, ok)

	assert.Equal(t, "me", rdb.Get(bounded(t), "lock").Val())
	pttl := rdb.PTTL(bounded(t), "lock").Val()
	assert.Greater(t, pttl, time.Duration(0))
	assert.LessOrEqual(t, pttl, 5*time.Second)
}

func TestDeleteIfEqual(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	require.NoError(t, rdb.Set(bounded(t), "lock", "mine", time.Minute).Err())

	require.NoError(t, store.DeleteIfEqual(bounded(t), "lock", []byte("theirs")))
	assert.Equal(t, "mine", rdb.Get(bounded(t), "lock").Val(), "another value stays")
	require.NoError(t, store.DeleteIfEqual(bounded(t), "lock", []byte("mine")))
	assert.Zero(t, rdb.Exists(bounded(t), "lock").Val())
	require.NoError(t, store.DeleteIfEqual(bounded(t), "lock", []byte("mine")), "a missing key is no error")

	rdb.ScriptFlush(bounded(t)) // Run falls back from EVALSHA to EVAL
	require.NoError(t, rdb.Set(bounded(t), "lock", "mine", time.Minute).Err())
	require.NoError(t, store.DeleteIfEqual(bounded(t), "lock", []byte("mine")))
	assert.Zero(t, rdb.Exists(bounded(t), "lock").Val())
}

func TestDelete(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	for _, k := range []string{"{t}:a", "{t}:b", "{t}:c"} {
		require.NoError(t, rdb.Set(bounded(t), k, "v", time.Minute).Err())
	}
	require.NoError(t, store.Delete(bounded(t), "{t}:a", "{t}:b", "{t}:missing"))
	assert.Equal(t, int64(1), rdb.Exists(bounded(t), "{t}:a", "{t}:b", "{t}:c").Val())
	require.NoError(t, store.Delete(bounded(t)), "no keys: nothing to do")
}

func TestNewLeavesTheClientOpen(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := redisClient(t, srv)
	store := rediscache.New(rdb)
	require.NoError(t, store.Set(bounded(t), "k", []byte("v"), time.Minute))
	require.NoError(t, store.Close())
	require.NoError(t, store.Close(), "Close is idempotent")
	assert.NoError(t, rdb.Ping(bounded(t)).Err(), "the caller's client is not closed")
}
