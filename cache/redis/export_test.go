package rediscache

import "github.com/redis/go-redis/v9"

// ClientOptions returns the options of the Client OpenConfig built for one
// server or Sentinel; nil in Cluster mode.
func ClientOptions(s *Store) *redis.Options {
	if c, ok := s.client.(*redis.Client); ok {
		return c.Options()
	}
	return nil
}

// ClusterOptions returns the options of the Store's ClusterClient; nil
// unless in Cluster mode.
func ClusterOptions(s *Store) *redis.ClusterOptions {
	if s.cluster == nil {
		return nil
	}
	return s.cluster.Options()
}

// SentinelAddrs returns the sentinels a Sentinel URL names.
func SentinelAddrs(rawURL string) ([]string, error) {
	p, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return p.sentinel.SentinelAddrs, nil
}

// ShardChannels returns the sharded names of channel in Cluster mode.
var ShardChannels = shardChannels

// NodeCooldown is how long the keys of a failing Cluster master fail fast.
const NodeCooldown = nodeCooldown

// ErrNodeDown is the cause of a call that failed fast because the Cluster
// master serving its key failed repeatedly.
var ErrNodeDown = errNodeDown
