package core

import (
	"context"
	"time"
)

// SharedStore is the second level of the verdict cache: a key-value store
// shared by every replica of a resource server, such as Redis (the module
// github.com/oidcrs/oidcrs/cache/redis implements it). The ResourceServer
// gives it only opaque keys (a prefix and an HMAC of the token) and sealed
// values (AES-GCM under a key derived from OIDC_RS_CACHE_SECRET and the
// token): the store never sees a token, and what it holds cannot be read
// or forged without the secret.
//
// Every method must honour ctx's deadline and must not retry past it: the
// ResourceServer gives each call OIDC_RS_CACHE_TIMEOUT. Implementations are
// safe for concurrent use. A failure is an error; the ResourceServer then
// goes on with its own cache and the authorization server, and skips the
// store for a while after repeated failures. The keys of one Get or Delete
// call share a Redis Cluster hash tag ("{...}"), so they hash to one slot;
// every ttl is positive.
//
// A method's error may say more about the failure through two optional
// methods, found anywhere in its chain (errors.As on an interface):
//
//   - StoreFailure() string names the class of the cause, one of exactly
//     "timeout", "refused" (no connection), "redirect" (the key lives on
//     another node: a stale Cluster slot map), "authentication" (the store
//     refused the credentials), "permission" (the user may not run the
//     command or use the key or channel) and "tls" (the TLS handshake or a
//     certificate failed). The ResourceServer logs it as the shared
//     cache's failure=<class> and reports it as the Outcome of its
//     CallResult and HealthChange. Without it, or with any other value, the
//     failure is "timeout" when a deadline passed, else "refused".
//   - Partial() bool, true when the failure concerns only some keys (one
//     node or slot range of a Cluster) while the rest of the store
//     answers. Such a failure is still logged and observed, but does not
//     count towards skipping the whole store: the store itself is expected
//     to fail fast on the part that is down.
type SharedStore interface {
	// Get returns the value of each key, in order, nil for a missing key,
	// in one round trip.
	Get(ctx context.Context, keys ...string) ([][]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value under key for ttl only when key does not exist,
	// and reports whether it did: the cross-replica lock.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// DeleteIfEqual deletes key only while its value is value, atomically:
	// the release of a lock by its holder.
	DeleteIfEqual(ctx context.Context, key string, value []byte) error
	// Delete deletes keys.
	Delete(ctx context.Context, keys ...string) error
	// Publish sends msg to every subscriber of channel. It fails when the
	// message demonstrably reached nobody: no subscriber received it by
	// any route the store knows, or every route failed.
	Publish(ctx context.Context, channel string, msg []byte) error
	// Subscribe calls handle, from one goroutine of the store's, with each
	// message published on channel until stop is called; it resubscribes
	// by itself after a failure (messages published meanwhile are lost:
	// the entries they name expire at their TTL). stop waits for that
	// goroutine to end, so handle must not call it.
	Subscribe(channel string, handle func(msg []byte)) (stop func())
}

// WithSharedCache adds store as the second level of the verdict cache, so
// that replicas share verdicts and one introspection serves a token across
// the fleet. It needs Settings.CacheSecrets (OIDC_RS_CACHE_SECRET); New
// fails without them, or when the cache is off. If store has a Close method
// (io.Closer), ResourceServer.Close calls it. Default value: none; each
// replica keeps its own cache.
func WithSharedCache(store SharedStore) Option {
	return func(o *options) { o.shared = store }
}
