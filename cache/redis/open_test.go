package rediscache_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	store, err := rediscache.Open("redis://alice:s3cret@127.0.0.1:6390/3?max_retries=5&read_timeout=10s", 200*time.Millisecond)
	require.NoError(t, err)
	defer store.Close()
	o := rediscache.ClientOptions(store)
	assert.Equal(t, "127.0.0.1:6390", o.Addr)
	assert.Equal(t, "alice", o.Username)
	assert.Equal(t, "s3cret", o.Password)
	assert.Equal(t, 3, o.DB)
	assert.Nil(t, o.TLSConfig)
	assert.True(t, o.ContextTimeoutEnabled)
	assert.Zero(t, o.MaxRetries, "-1, which go-redis keeps as 0: no retry, whatever the URL says")
	assert.Equal(t, 1, o.DialerRetries)
	for _, d := range []time.Duration{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout} {
		assert.Equal(t, 200*time.Millisecond, d)
	}

	store, err = rediscache.Open("redis://127.0.0.1:6390", 0)
	require.NoError(t, err)
	defer store.Close()
	o = rediscache.ClientOptions(store)
	assert.Equal(t, 50*time.Millisecond, o.ReadTimeout, "the default timeout")
	assert.Zero(t, o.DB)
}

func TestOpenTLS(t *testing.T) {
	t.Parallel()
	store, err := rediscache.Open("rediss://:s3cret@cache.example:6380/1", 0)
	require.NoError(t, err)
	defer store.Close()
	o := rediscache.ClientOptions(store)
	require.NotNil(t, o.TLSConfig)
	assert.Equal(t, "cache.example", o.TLSConfig.ServerName)
	assert.False(t, o.TLSConfig.InsecureSkipVerify)
	assert.GreaterOrEqual(t, o.TLSConfig.MinVersion, uint16(tls.VersionTLS12))
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"",
		"http://user:hunter2@cache.example/",
		"https://cache.example/",
		"unix://user:hunter2@/run/redis.sock",
		"localhost:6379",
		"redis:user:hunter2@cache.example",
		"redis://user:hunter2@cache.example:port/0",
		"redis://user:hun%zzter2@cache.example/0",
		"redis://user:hunter2@cache.example/zero",
		"redis://user:hunter2@cache.example/0/1",
		"redis://user:hunter2@cache.example/0?bogus=1",
		"redis://user:hunter2@cache.example/0?dial_timeout=hunter2",
		"rediss://:hunter2@cache.example/0?db=hunter2",
		"redis://user:hunter%32@cache.example/0?dial_timeout=hunter2",
	} {
		t.Run(u, func(t *testing.T) {
			store, err := rediscache.Open(u, 0)
			require.Error(t, err)
			assert.Nil(t, store)
			assert.Contains(t, err.Error(), "rediscache: ")
			for e := err; e != nil; e = errors.Unwrap(e) {
				assert.NotContains(t, e.Error(), "hunter2")
				assert.NotContains(t, e.Error(), "hun%zzter2")
			}
		})
	}
}

func TestOpenNamesTheScheme(t *testing.T) {
	t.Parallel()
	_, err := rediscache.Open("http://user:hunter2@cache.example/", 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"http"`)
	assert.Contains(t, err.Error(), "redis://")
}

func TestWrongPasswordIsNotEchoed(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	url := strings.Replace(srv.URL(), "redis://", "redis://alice:hunter2@", 1)
	store, err := rediscache.Open(url, storeTimeout)
	require.NoError(t, err)
	defer store.Close()
	_, err = store.Get(bounded(t), "k")
	require.Error(t, err, "there is no user alice")
	assert.NotContains(t, err.Error(), "hunter2")
}
