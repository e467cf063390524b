package rediscache_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// Every store call, as the resource server makes it.
var calls = map[string]func(context.Context, *rediscache.Store) error{
	"Get": func(ctx context.Context, s *rediscache.Store) error {
		_, err := s.Get(ctx, "{k}", "{k}:lock")
		return err
	},
	"Set": func(ctx context.Context, s *rediscache.Store) error {
		return s.Set(ctx, "{k}", []byte("v"), time.Minute)
	},
	"SetNX": func(ctx context.Context, s *rediscache.Store) error {
		_, err := s.SetNX(ctx, "{k}:lock", []byte("id"), time.Minute)
		return err
	},
	"DeleteIfEqual": func(ctx context.Context, s *rediscache.Store) error {
		return s.DeleteIfEqual(ctx, "{k}:lock", []byte("id"))
	},
	"Delete": func(ctx context.Context, s *rediscache.Store) error {
		return s.Delete(ctx, "{k}")
	},
	"Publish": func(ctx context.Context, s *rediscache.Store) error {
		return s.Publish(ctx, "inval", []byte("m"))
	},
}

// The failure tests open their stores with slowTimeout, and give each call
// a 50 ms deadline: a call that ends within failBound was ended by its
// context, as the resource server's calls must be; one that ignored the
// context would wait slowTimeout. The gap is wide both ways, so a busy
// machine cannot decide the result.
const (
	slowTimeout = time.Minute
	failBound   = 20 * time.Second
)

// failsFast checks that every call fails, each ended by its 50 ms
// deadline rather than by the store's slowTimeout.
func failsFast(t *testing.T, store *rediscache.Store) {
	t.Helper()
	for name, f := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		err := f(ctx, store)
		took := time.Since(start)
		cancel()
		assert.Error(t, err, name)
		require.Less(t, took, failBound, name)
	}
}

// newSlowStore starts a redis-server and returns a Store on it with
// slowTimeout, subscribed to the channel Publish uses.
func newSlowStore(t *testing.T) (*rediscache.Store, *redistest.Server) {
	t.Helper()
	srv := redistest.Start(t)
	store := openStore(t, srv.URL(), slowTimeout)
	store.Subscribe("inval", func([]byte) {}) // stopped by Close
	return store, srv
}

// worksAgain waits, bounded, until every call succeeds on store again.
func worksAgain(t *testing.T, store *rediscache.Store) {
	t.Helper()
	for name, f := range calls {
		require.Eventually(t, func() bool { return f(bounded(t), store) == nil }, waitLimit, 50*time.Millisecond, name)
	}
}

func TestPausedRedis(t *testing.T) {
	t.Parallel()
	store, srv := newSlowStore(t)
	worksAgain(t, store) // connections in the pool
	srv.Pause()
	failsFast(t, store)
	failsFast(t, store) // with the connections the first round broke
	srv.Resume()
	worksAgain(t, store)
}

func TestKilledRedis(t *testing.T) {
	t.Parallel()
	store, srv := newSlowStore(t)
	worksAgain(t, store)
	srv.Kill()
	failsFast(t, store)
	failsFast(t, store)
	srv.Restart(t)
	worksAgain(t, store) // the same Store, reconnected
}

func TestUnresponsiveRedis(t *testing.T) {
	t.Parallel()
	// A loopback listener that accepts connections and never answers: the
	// store must give up at its timeout. (Tests reach loopback only.)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	})
	// OpenConfig's start-up check is bounded by its context, here 50 ms.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	store, err := rediscache.OpenConfig(ctx, rediscache.Config{URL: "redis://" + ln.Addr().String() + "/0", Timeout: slowTimeout})
	require.NoError(t, err, "a server that does not answer fails calls, not OpenConfig")
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	require.Less(t, time.Since(start), failBound)
	failsFast(t, store)
}

func TestDeadlineWithoutTimeout(t *testing.T) {
	t.Parallel()
	// A context without a deadline is bounded by Open's timeout, 1 s here,
	// whatever the URL says: were the URL's timeouts kept, the call would
	// wait slowTimeout.
	srv := redistest.Start(t)
	slow := slowTimeout.String()
	store := openStore(t, srv.URL()+"?dial_timeout="+slow+"&read_timeout="+slow+
		"&write_timeout="+slow+"&pool_timeout="+slow, time.Second)
	store.Subscribe("inval", func([]byte) {}) // stopped by Close
	worksAgain(t, store)
	srv.Pause()
	defer srv.Resume()
	start := time.Now()
	_, err := store.Get(context.Background(), "{k}")
	assert.Error(t, err)
	assert.Less(t, time.Since(start), failBound)
}
