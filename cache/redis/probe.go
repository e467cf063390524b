package rediscache

import (
	"context"
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// probeCluster asks the server of a one-server URL, once, within ctx,
// whether it is a Redis Cluster node, and if so makes s use a
// ClusterClient seeded with its address instead of single, which it
// closes. A server that does not answer leaves single in place: calls
// will tell (see hintCluster). The error is for a URL that cannot work
// with a Cluster at all.
func (s *Store) probeCluster(ctx context.Context, single *redis.Client) error {
	o := single.Options()
	info, err := single.Info(ctx, "cluster").Result()
	if redis.HasErrorPrefix(err, "SELECT is not allowed in cluster mode") {
		_ = single.Close()
		return errors.New("rediscache: the Redis URL names a Redis Cluster node and a database other than 0: a Cluster has only database 0")
	}
	if err != nil {
		s.log.Warn("rediscache: could not ask the Redis server whether it is a Cluster node; calls will tell",
			"failure", classify(err))
		return nil
	}
	if !clusterEnabled(info) {
		return nil
	}
	if o.Network == "unix" {
		_ = single.Close()
		return errors.New("rediscache: the Redis URL names a Redis Cluster node by a unix socket: " +
			"name it by host:port and add the other nodes as addr=host:port")
	}
	_ = single.Close()
	s.useCluster(redis.NewClusterClient(clusterRules(&redis.ClusterOptions{
		Addrs:           []string{o.Addr},
		ClientName:      o.ClientName,
		Protocol:        o.Protocol,
		Username:        o.Username,
		Password:        o.Password,
		TLSConfig:       o.TLSConfig,
		PoolFIFO:        o.PoolFIFO,
		PoolSize:        o.PoolSize,
		MinIdleConns:    o.MinIdleConns,
		MaxIdleConns:    o.MaxIdleConns,
		MaxActiveConns:  o.MaxActiveConns,
		ConnMaxIdleTime: o.ConnMaxIdleTime,
		ConnMaxLifetime: o.ConnMaxLifetime,
	}, s.timeout)))
	s.log.Info("rediscache: the Redis URL names a Redis Cluster node: using a Cluster client seeded with it; " +
		"list more nodes as addr=host:port so that the store can start while this one is down")
	return nil
}

// clusterEnabled reads INFO cluster's reply.
func clusterEnabled(info string) bool {
	for line := range strings.Lines(info) {
		if strings.TrimSpace(line) == "cluster_enabled:1" {
			return true
		}
	}
	return false
}

// hintCluster logs once, at Error, how to fix a one-server URL that names
// a Redis Cluster node, when a call on a one-server client was redirected
// (MOVED): the start-up probe could not tell, and every key another node
// serves now fails.
func (s *Store) hintCluster(err error) {
	if s.cluster != nil {
		return
	}
	if _, moved := redis.IsMovedError(err); !moved {
		return
	}
	if s.hinted.CompareAndSwap(false, true) {
		s.log.Error("rediscache: the Redis URL names one node of a Redis Cluster, which the store could not recognise when it opened, "+
			"so calls on keys of other nodes fail: add the other nodes as addr=host:port to the URL (or restart while this node answers)",
			"failure", classRedirect)
	}
}
