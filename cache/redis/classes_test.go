package rediscache_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// assertClass checks that err is a whole-store failure of class, wrapping
// go-redis's error, and without the password hunter2.
func assertClass(t *testing.T, err error, class string) {
	t.Helper()
	require.Error(t, err)
	got, partial := causeOf(t, err)
	assert.Equal(t, class, got, "%v", err)
	assert.False(t, partial, "one server: nothing is partial")
	assert.NotNil(t, errors.Unwrap(err), "the original error is wrapped")
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), "hunter2")
	}
}

func TestClassAuthentication(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	require.NoError(t, redisClient(t, srv).ConfigSet(bounded(t), "requirepass", "right-password").Err())
	wrong := openStore(t, strings.Replace(srv.URL(), "redis://", "redis://:hunter2@", 1), storeTimeout)
	_, err := wrong.Get(bounded(t), "k")
	assertClass(t, err, "authentication") // WRONGPASS
	assert.True(t, redis.IsAuthError(err))

	none := openStore(t, srv.URL(), storeTimeout)
	assertClass(t, none.Set(bounded(t), "k", []byte("v"), time.Minute), "authentication") // NOAUTH

	right := openStore(t, strings.Replace(srv.URL(), "redis://", "redis://:right-password@", 1), storeTimeout)
	assert.NoError(t, right.Set(bounded(t), "k", []byte("v"), time.Minute))
}

func TestClassPermission(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	require.NoError(t, redisClient(t, srv).Do(bounded(t),
		"ACL", "SETUSER", "reader", "on", ">hunter2", "~*", "&*", "+@all", "-set").Err())
	store := openStore(t, strings.Replace(srv.URL(), "redis://", "redis://reader:hunter2@", 1), storeTimeout)
	_, err := store.Get(bounded(t), "k")
	require.NoError(t, err, "GET is allowed")
	err = store.Set(bounded(t), "k", []byte("v"), time.Minute)
	assertClass(t, err, "permission") // NOPERM
	assert.True(t, redis.IsPermissionError(err))
}

func TestClassTimeout(t *testing.T) {
	t.Parallel()
	store, srv := newSlowStore(t)
	worksAgain(t, store)
	srv.Pause()
	defer srv.Resume()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := store.Get(ctx, "k")
	assertClass(t, err, "timeout")
}

func TestClassRefused(t *testing.T) {
	t.Parallel()
	store, srv := newStore(t)
	_, err := store.Get(bounded(t), "k")
	require.NoError(t, err)
	srv.Kill()
	for name, f := range calls {
		t.Run(name, func(t *testing.T) { assertClass(t, f(bounded(t), store), "refused") })
	}
}

func TestPublishWithoutSubscriber(t *testing.T) {
	t.Parallel()
	store, _ := newStore(t)
	err := store.Publish(bounded(t), "nobody-listens", []byte("m"))
	require.ErrorIs(t, err, rediscache.ErrNoReceivers)
	assertClass(t, err, "refused")

	stop := store.Subscribe("nobody-listens", func([]byte) {})
	defer stop()
	require.Eventually(t, func() bool {
		return store.Publish(bounded(t), "nobody-listens", []byte("m")) == nil
	}, waitLimit, 20*time.Millisecond, "a subscriber makes Publish succeed")
}
