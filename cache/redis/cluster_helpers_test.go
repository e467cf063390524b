package rediscache_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// slotCluster is three real redis-servers standing in as the masters of a
// Redis Cluster, one third of the slots each, through go-redis's
// ClusterSlots option: the Store's Cluster mode (per-node breaker,
// sharded Pub/Sub) runs on them unchanged. Their slot map never changes,
// so it cannot test a failover: the real Cluster tests do.
type slotCluster struct {
	srvs    [3]*redistest.Server
	reloads atomic.Int64 // how many times a client loaded the slot map
}

// thirdKeys are keys of each third of the slots: their hash tags are the
// sharded channels' (slots 1364, 6824 and 12287).
var thirdKeys = [3]string{"{shard11}k", "{shard293}k", "{shard2695}k"}

func newSlotCluster(t *testing.T) *slotCluster {
	t.Helper()
	c := &slotCluster{}
	for i := range c.srvs {
		c.srvs[i] = redistest.Start(t)
	}
	return c
}

// store returns a Store from New on a ClusterClient of c, configured as
// OpenConfig configures one, with timeout; both closed when the test
// ends.
func (c *slotCluster) store(t *testing.T, timeout time.Duration) *rediscache.Store {
	t.Helper()
	return c.storeAs(t, timeout, "", "")
}

// storeAs is store for an ACL user.
func (c *slotCluster) storeAs(t *testing.T, timeout time.Duration, user, password string) *rediscache.Store {
	t.Helper()
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Username: user, Password: password,
		ClusterSlots: func(context.Context) ([]redis.ClusterSlot, error) {
			c.reloads.Add(1)
			return []redis.ClusterSlot{
				{Start: 0, End: 5460, Nodes: []redis.ClusterNode{{Addr: c.srvs[0].Addr()}}},
				{Start: 5461, End: 10922, Nodes: []redis.ClusterNode{{Addr: c.srvs[1].Addr()}}},
				{Start: 10923, End: 16383, Nodes: []redis.ClusterNode{{Addr: c.srvs[2].Addr()}}},
			}, nil
		},
		ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1,
		DialTimeout: timeout, ReadTimeout: timeout, WriteTimeout: timeout, PoolTimeout: timeout,
		ClusterStateReloadInterval: 2 * time.Second,
	})
	store := rediscache.New(client)
	t.Cleanup(func() {
		assert.NoError(t, store.Close())
		assert.NoError(t, client.Close())
	})
	return store
}

// waitShardSubscribers waits, bounded, until every sharded name of
// channel has n subscribers on the server that serves it.
func (c *slotCluster) waitShardSubscribers(t *testing.T, channel string, n int64) {
	t.Helper()
	for _, name := range rediscache.ShardChannels(channel) {
		srv := c.srvs[c.third(t, name)]
		rdb := redisClient(t, srv)
		require.Eventually(t, func() bool {
			got, err := rdb.PubSubShardNumSub(bounded(t), name).Result()
			return err == nil && got[name] == n
		}, waitLimit, 20*time.Millisecond, "%s: want %d subscribers", name, n)
	}
}

// tagThird is the third of the slots, so the server, of each hash tag
// the sharded channels use (their slots: 1364, 4096 | 6824, 9556 | 12287,
// 15019).
var tagThird = map[string]int{"shard11": 0, "shard3124": 0, "shard293": 1, "shard935": 1, "shard2695": 2, "shard708": 2}

// third is the index of the server that serves key, whose hash tag is one
// of tagThird's.
func (c *slotCluster) third(t *testing.T, key string) int {
	t.Helper()
	_, rest, _ := strings.Cut(key, "{")
	tag, _, _ := strings.Cut(rest, "}")
	i, ok := tagThird[tag]
	require.True(t, ok, "no third known for %q", key)
	return i
}
