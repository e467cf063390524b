package rediscache_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// Not parallel: it counts goroutines.
func TestSubscribe(t *testing.T) {
	store, srv := newStore(t)
	rdb := redisClient(t, srv)
	_, err := store.Get(bounded(t), "warm-up")
	require.NoError(t, err)
	base := runtime.NumGoroutine()

	got := make(chan string, 10)
	stop := store.Subscribe("inval", func(msg []byte) { got <- string(msg) })
	waitSubscribers(t, rdb, "inval", 1)
	for _, m := range []string{"one", "two", "\x00\xff"} {
		require.NoError(t, store.Publish(bounded(t), "inval", []byte(m)))
	}
	for _, want := range []string{"one", "two", "\x00\xff"} {
		assert.Equal(t, want, receive(t, got, waitLimit))
	}
	err = store.Publish(bounded(t), "other", []byte("not for us"))
	require.ErrorIs(t, err, rediscache.ErrNoReceivers, "nobody subscribes to other")

	stop()
	stop() // idempotent
	waitSubscribers(t, rdb, "inval", 0)
	require.ErrorIs(t, store.Publish(bounded(t), "inval", []byte("after stop")), rediscache.ErrNoReceivers)
	waitGoroutines(t, base)
	assert.Empty(t, got, "handle is not called after stop")
}

func TestSubscribeSurvivesRestart(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	got := make(chan string, 100)
	stop := store.Subscribe("inval", func(msg []byte) { got <- string(msg) })
	defer stop()
	waitSubscribers(t, redisClient(t, srv), "inval", 1)
	require.NoError(t, store.Publish(bounded(t), "inval", []byte("before")))
	assert.Equal(t, "before", receive(t, got, waitLimit))

	srv.Kill()
	waitDown(t, store)
	srv.Restart(t)

	// The subscription comes back by itself; the store's own connections
	// too. Publish until a message arrives: Pub/Sub keeps none for a
	// subscriber that is not back yet.
	deadline := time.Now().Add(waitLimit)
	for {
		_ = store.Publish(bounded(t), "inval", []byte("after"))
		select {
		case m := <-got:
			assert.Equal(t, "after", m)
			return
		case <-time.After(100 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "no message %v after the restart", waitLimit)
	}
}

func TestSubscribeWhilePaused(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// A paused Redis never answers: Subscribe returns by its own timeout,
	// here 1 s, or never. The bound below only tells the two apart.
	store := openStore(t, srv.URL(), time.Second)
	srv.Pause()
	start := time.Now()
	got := make(chan string, 100)
	stop := store.Subscribe("inval", func(msg []byte) { got <- string(msg) })
	defer stop()
	assert.Less(t, time.Since(start), 20*time.Second, "Subscribe waits about the store's timeout, not for Redis")
	srv.Resume()

	waitSubscribers(t, redisClient(t, srv), "inval", 1)
	deadline := time.Now().Add(waitLimit)
	for {
		_ = store.Publish(bounded(t), "inval", []byte("late"))
		select {
		case m := <-got:
			assert.Equal(t, "late", m)
			return
		case <-time.After(100 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "no message %v after Resume", waitLimit)
	}
}

func TestStopWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	stop := store.Subscribe("inval", func([]byte) {})
	waitSubscribers(t, redisClient(t, srv), "inval", 1)
	srv.Kill()
	waitDown(t, store) // go-redis is now reconnecting
	start := time.Now()
	stop()
	// A refused connection fails at once: stop has nothing to wait for.
	// The bound, wide for a busy machine, only catches a stop that hangs.
	assert.Less(t, time.Since(start), 5*time.Second)
}

// Not parallel: it counts goroutines.
func TestCloseStopsSubscriptions(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redisClient(t, srv)
	require.NoError(t, rdb.Ping(bounded(t)).Err())
	base := runtime.NumGoroutine()

	store, err := rediscache.Open(srv.URL(), storeTimeout)
	require.NoError(t, err)
	require.NoError(t, store.Set(bounded(t), "k", []byte("v"), time.Minute))
	stop := store.Subscribe("inval", func([]byte) {})
	waitSubscribers(t, rdb, "inval", 1)
	require.NoError(t, store.Close())
	require.NoError(t, store.Close(), "Close is idempotent")
	stop() // after Close: nothing left to do
	waitSubscribers(t, rdb, "inval", 0)

	called := false
	store.Subscribe("inval", func([]byte) { called = true })() // after Close: a no-op
	assert.False(t, called)
	waitGoroutines(t, base) // the client's own goroutines ended too
}
