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

func TestOpenUnix(t *testing.T) {
	t.Parallel()
	store, err := rediscache.Open("unix://alice:s3cret@/run/redis/redis.sock?db=2", 200*time.Millisecond)
	require.NoError(t, err, "a socket that does not exist fails calls, not Open")
	defer store.Close()
	o := rediscache.ClientOptions(store)
	assert.Equal(t, "unix", o.Network)
	assert.Equal(t, "/run/redis/redis.sock", o.Addr)
	assert.Equal(t, "alice", o.Username)
	assert.Equal(t, 2, o.DB)
	assert.True(t, o.ContextTimeoutEnabled)
	assert.Equal(t, 1, o.DialerRetries)
	assert.Equal(t, 200*time.Millisecond, o.ReadTimeout)
}

func TestOpenCluster(t *testing.T) {
	t.Parallel()
	store, err := rediscache.Open("redis://alice:s3cret@127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002"+
		"&max_retries=5&read_timeout=10s&dialer_retries=4&max_redirects=2", 200*time.Millisecond)
	require.NoError(t, err, "Open does not connect to a Cluster")
	defer store.Close()
	assert.Nil(t, rediscache.ClientOptions(store))
	o := rediscache.ClusterOptions(store)
	require.NotNil(t, o, "any addr= makes a Cluster client")
	assert.Equal(t, []string{"127.0.0.1:7000", "127.0.0.1:7001", "127.0.0.1:7002"}, o.Addrs)
	assert.Equal(t, "alice", o.Username)
	assert.Equal(t, "s3cret", o.Password)
	assert.Nil(t, o.TLSConfig)
	assert.True(t, o.ContextTimeoutEnabled)
	assert.Equal(t, -1, o.MaxRetries, "no retry, whatever the URL says")
	assert.Equal(t, 1, o.DialerRetries)
	for _, d := range []time.Duration{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout} {
		assert.Equal(t, 200*time.Millisecond, d)
	}
	assert.Equal(t, 2*time.Second, o.ClusterStateReloadInterval)
	assert.Equal(t, 2, o.MaxRedirects, "the URL's bound on redirections stays")
	assert.False(t, o.ReadOnly)

	store, err = rediscache.Open("rediss://:s3cret@cache.example:7000?addr=cache2.example:7000", 0)
	require.NoError(t, err)
	defer store.Close()
	o = rediscache.ClusterOptions(store)
	require.NotNil(t, o.TLSConfig)
	assert.Equal(t, "cache.example", o.TLSConfig.ServerName)
	assert.GreaterOrEqual(t, o.TLSConfig.MinVersion, uint16(tls.VersionTLS12))
	assert.Equal(t, 50*time.Millisecond, o.ReadTimeout, "the default timeout")
}

func TestOpenSentinel(t *testing.T) {
	t.Parallel()
	const u = "redis://watcher:sentinel-pw@127.0.0.1:26379/2?master_name=mymaster&addr=127.0.0.1:26380" +
		"&username=app&password=master-pw&max_retries=5&read_timeout=10s"
	store, err := rediscache.Open(u, 200*time.Millisecond)
	require.NoError(t, err, "Open does not connect to the sentinels")
	defer store.Close()
	assert.Nil(t, rediscache.ClusterOptions(store))
	o := rediscache.ClientOptions(store)
	require.NotNil(t, o)
	assert.Equal(t, "FailoverClient", o.Addr, "a Sentinel client")
	assert.Equal(t, "app", o.Username, "the master's credentials come from the query")
	assert.Equal(t, "master-pw", o.Password)
	assert.Equal(t, 2, o.DB)
	assert.True(t, o.ContextTimeoutEnabled)
	assert.Zero(t, o.MaxRetries, "-1, which go-redis keeps as 0")
	assert.Equal(t, 1, o.DialerRetries)
	for _, d := range []time.Duration{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout} {
		assert.Equal(t, 200*time.Millisecond, d)
	}
	addrs, err := rediscache.SentinelAddrs(u)
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.1:26379", "127.0.0.1:26380"}, addrs)
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"",
		"http://user:hunter2@cache.example/",
		"https://cache.example/",
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
		"unix://user:hunter2@/run/redis.sock?db=hunter2",
		"unix://user:hunter2@/run/redis.sock?addr=cache.example:6379",
		"unix://user:hunter2@/run/redis.sock?master_name=mymaster",
		// several hosts
		"redis://user:hunter2@cache1.example:6379,cache2.example:6379/0",
		"redis://:hunter2@cache1.example,cache2.example/0",
		"redis://:hunter2@cache1.example:7000?addr=cache2.example:7000,cache3.example:7000",
		// Cluster
		"redis://:hunter2@cache1.example:7000?addr=cache2.example",
		"redis://:hunter2@cache1.example:7000?addr=cache2.example:7000&read_timeout=hunter2",
		"redis://:hunter2@cache1.example:7000?addr=cache2.example:7000&read_only=true",
		"redis://:hunter2@cache1.example:7000?addr=cache2.example:7000&route_randomly=true",
		"redis://:hunter2@cache1.example:7000/3?addr=cache2.example:7000",
		"redis://:hunter2@cache1.example:7000?addr=cache2.example:7000&db=1",
		// Sentinel: user info is the sentinels', password= the master's
		"redis://:hunter2@sentinel.example:26379?master_name=",
		"redis://:hunter2@sentinel.example:26379?master_name=m&db=hunter2",
		"redis://:s@sentinel.example:26379?master_name=m&password=hunter2&db=hunter2",
		"redis://:s@sentinel.example:26379?master_name=m&password=hun%74er2&dial_timeout=hunter2",
		"redis://:s@sentinel.example:26379?master_name=m&password=hunter2&route_randomly=true",
		"redis://:s@sentinel.example:26379?master_name=m&password=hunter2&route_by_latency=true",
		"redis://:s@sentinel.example:26379?master_name=m&password=hunter2&replica_only=true",
		"redis://:s@sentinel.example:26379?master_name=m&password=hunter2&addr=hunter2",
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

func TestOpenNamesTheFixForSeveralHosts(t *testing.T) {
	t.Parallel()
	_, err := rediscache.Open("redis://cache1.example:6379,cache2.example:6379/0", 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "comma")
	assert.Contains(t, err.Error(), "addr=host:port")
	assert.Contains(t, err.Error(), "master_name=")
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

func TestOpenConfigProbesOnce(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := redisClient(t, srv)
	before := commandCalls(t, rdb, "info")
	store := openConfig(t, rediscache.Config{URL: srv.URL(), Timeout: storeTimeout})
	assert.Equal(t, before+2, commandCalls(t, rdb, "info"), "one INFO cluster, and the test's own INFO commandstats")
	assert.NotNil(t, rediscache.ClientOptions(store), "not a Cluster node: one server")
	assert.Nil(t, rediscache.ClusterOptions(store))
}
