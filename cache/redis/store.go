package rediscache

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/redis/go-redis/v9"
)

// defaultTimeout is the timeout of Open when given none, and how long
// Subscribe waits for its first SUBSCRIBE on a Store from New.
const defaultTimeout = 50 * time.Millisecond

var _ core.SharedStore = (*Store)(nil)

// Store is a core.SharedStore on a Redis client. It is safe for concurrent
// use. Build it with OpenConfig, Open or New.
//
// Every error of its methods has, in its chain, a StoreFailure() string
// method that tells the cause class ("timeout", "refused", "redirect",
// "authentication", "permission" or "tls") and a Partial() bool method
// that tells whether the failure concerns only the keys of one node of a
// Redis Cluster; it wraps go-redis's error (errors.Is works).
type Store struct {
	client  redis.UniversalClient
	cluster *redis.ClusterClient // the same client in Cluster mode, else nil
	nodes   *nodeBreakers        // Cluster mode: each master's breaker
	owned   bool                 // Close closes client
	timeout time.Duration        // bound on Subscribe's first SUBSCRIBE
	log     *slog.Logger         // never nil
	unlog   func()               // stops forwarding go-redis's log to log
	hinted  atomic.Bool          // hintCluster logged

	mu     sync.Mutex
	subs   map[*subscription]struct{}
	closed bool
}

// New returns a Store on client, which stays the caller's: Close does not
// close it.
//
// The timeout guarantee (no call waits past its context's deadline, no
// call is retried) holds only when client was built with
// ContextTimeoutEnabled: true and MaxRetries: -1, as OpenConfig does. Without
// ContextTimeoutEnabled, go-redis ignores the context's deadline on the
// socket: a paused or unreachable Redis makes a call wait ReadTimeout (5 s
// by default) instead of the 50 ms the resource server asked for. With
// retries (3 by default), a failure that comes at once, such as a refused
// connection, is retried with backoff until the deadline instead of being
// reported. Set DialerRetries: 1 too, so that a failed dial is not
// retried in the background.
//
// A *redis.ClusterClient makes a Store in Cluster mode, as OpenConfig's:
// sharded Pub/Sub and a breaker per master (see the package
// documentation). Set its ClusterStateReloadInterval to about 2 s, so
// that a failover is noticed soon.
func New(client redis.UniversalClient) *Store {
	s := &Store{client: client, timeout: defaultTimeout, log: slog.New(slog.DiscardHandler)}
	if c, ok := client.(*redis.ClusterClient); ok {
		s.useCluster(c)
	}
	return s
}

// useCluster makes s use c in Cluster mode.
func (s *Store) useCluster(c *redis.ClusterClient) {
	s.client, s.cluster, s.nodes = c, c, newNodeBreakers(time.Now)
}

// Close stops every subscription still running and, when the Store was
// built by Open, closes its client; a client given to New stays open. The
// Store must not be used after Close; Close is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	for sub := range subs {
		sub.stop()
	}
	if s.unlog != nil {
		s.unlog()
	}
	if !s.owned {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("rediscache: close: %w", err)
	}
	return nil
}

// roundTTL rounds ttl up to a whole millisecond, the precision of PX.
func roundTTL(ttl time.Duration) (time.Duration, error) {
	if ttl <= 0 {
		return 0, fmt.Errorf("ttl %v is not positive", ttl)
	}
	return (ttl + time.Millisecond - 1).Truncate(time.Millisecond), nil
}
