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

// failsFast checks that every call fails, each well within a generous
// liveness bound (not a performance claim), under a 50 ms deadline.
func failsFast(t *testing.T, store *rediscache.Store) {
	t.Helper()
	for name, f := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		err := f(ctx, store)
		took := time.Since(start)
		cancel()
		assert.Error(t, err, name)
		assert.Less(t, took, time.Second, name)
	}
}

// worksAgain waits, bounded, until every call succeeds on store again.
func worksAgain(t *testing.T, store *rediscache.Store) {
	t.Helper()
	for name, f := range calls {
		require.Eventually(t, func() bool { return f(bounded(t), store) == nil }, 10*time.Second, 50*time.Millisecond, name)
	}
}

func TestPausedRedis(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	worksAgain(t, store) // connections in the pool
	srv.Pause()
	failsFast(t, store)
	failsFast(t, store) // with the connections the first round broke
	srv.Resume()
	worksAgain(t, store)
}

func TestKilledRedis(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
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
	store, err := rediscache.Open("redis://"+ln.Addr().String()+"/0", 50*time.Millisecond)
	require.NoError(t, err)
	defer store.Close()
	failsFast(t, store)
}

func TestDeadlineWithoutTimeout(t *testing.T) {
	t.Parallel()
	// A context without a deadline is bounded by Open's timeout.
	store, srv := newStore(t)
	worksAgain(t, store)
	srv.Pause()
	defer srv.Resume()
	start := time.Now()
	_, err := store.Get(context.Background(), "{k}")
	assert.Error(t, err)
	assert.Less(t, time.Since(start), time.Second)
}
