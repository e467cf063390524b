package rediscache_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// Timeouts of the tests' stores and calls: wide, because a busy machine
// running the race detector can stall a healthy call for a second or more.
// A test that needs a call to fail makes Redis fail (killed, paused, an
// unresponsive listener); it never relies on a healthy call being slow.
const (
	storeTimeout = 10 * time.Second // Open's timeout for a healthy Redis
	callTimeout  = 10 * time.Second // bounded's deadline
	waitLimit    = 30 * time.Second // how long to wait for a condition
)

// newStore starts a redis-server and returns a Store from Open on it, with
// storeTimeout, closed when the test ends, with the server.
func newStore(t *testing.T) (*rediscache.Store, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	return openStore(t, srv.URL(), storeTimeout), srv
}

// openStore returns a Store from Open on url, closed when the test ends.
func openStore(t *testing.T, url string, timeout time.Duration) *rediscache.Store {
	t.Helper()
	store, err := rediscache.Open(url, timeout)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	return store
}

// bounded gives one call a context with a deadline, callTimeout: it only
// stops a hung test.
func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

// waitDown waits, bounded, until a call on store fails: the store has
// seen that Redis is gone.
func waitDown(t *testing.T, store *rediscache.Store) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, err := store.Get(bounded(t), "probe")
		return err != nil
	}, waitLimit, 10*time.Millisecond, "a call still succeeds on a stopped Redis")
}

// commandCalls is how many times Redis ran name, from INFO commandstats.
func commandCalls(t *testing.T, rdb *redis.Client, name string) int {
	t.Helper()
	info, err := rdb.Info(bounded(t), "commandstats").Result()
	require.NoError(t, err)
	for line := range strings.Lines(info) {
		stats, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+name+":calls=")
		if ok {
			n, err := strconv.Atoi(stats[:strings.IndexByte(stats, ',')])
			require.NoError(t, err)
			return n
		}
	}
	return 0
}

// receive waits, bounded, for one message on got.
func receive(t *testing.T, got <-chan string, wait time.Duration) string {
	t.Helper()
	select {
	case m := <-got:
		return m
	case <-time.After(wait):
		t.Fatalf("no message within %v", wait)
		return ""
	}
}

// waitSubscribers waits, bounded, until channel has n subscribers: go-redis
// sends SUBSCRIBE without waiting for Redis to confirm it.
func waitSubscribers(t *testing.T, rdb *redis.Client, channel string, n int64) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		subs, err := rdb.PubSubNumSub(ctx, channel).Result()
		cancel()
		if err == nil && subs[channel] == n {
			return
		}
		require.True(t, time.Now().Before(deadline), "%s: %d subscribers, want %d (err %v)", channel, subs[channel], n, err)
		time.Sleep(20 * time.Millisecond)
	}
}

// waitGoroutines waits, bounded, until the goroutine count is back to base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

// redisClient is a plain client on s for a test to look into Redis,
// closed when the test ends.
func redisClient(tb testing.TB, s *redistest.Server) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// storeFailure is the contract of a store error, as core reads it.
type storeFailure interface {
	StoreFailure() string
	Partial() bool
}

// causeOf returns err's cause class and whether it is partial, failing
// the test when err does not tell.
func causeOf(t *testing.T, err error) (class string, partial bool) {
	t.Helper()
	var f storeFailure
	require.ErrorAs(t, err, &f, "%v: no StoreFailure in its chain", err)
	return f.StoreFailure(), f.Partial()
}
