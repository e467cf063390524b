// Package rediscache is a [core.SharedStore] on Redis: the second level of
// the verdict cache, shared by every replica of a resource server.
//
//	store, err := rediscache.Open(settings.CacheURL, settings.CacheTimeout) // OIDC_RS_CACHE_URL, OIDC_RS_CACHE_TIMEOUT
//	if err != nil { ... }
//	rs, err := core.New(settings, core.WithSharedCache(store)) // rs.Close closes store
//
// [Open] builds its own client from a redis:// or rediss:// URL; [New]
// wraps a client you built yourself (a single server, Sentinel or Cluster:
// any [redis.UniversalClient]).
//
// # Timeouts
//
// The resource server gives each call a short deadline (OIDC_RS_CACHE_TIMEOUT,
// 50 ms by default) and goes on without the store when a call fails. Every
// method therefore honours its context's deadline and never retries, so a
// dead or paused Redis costs a request at most that deadline. A Store from
// [Open] is configured for it; a client given to [New] must be (see New).
//
// # Redis Cluster
//
// [Store.Get] and [Store.Delete] send one MGET or DEL, which Redis Cluster
// refuses (CROSSSLOT) for keys in different hash slots. The resource server
// always passes keys that share a hash tag ("{...}"), so they hash to one
// slot; other callers must do the same.
//
// # Security
//
// The store holds opaque keys (an HMAC of the token) and sealed values
// (AES-GCM): it never sees a token, and its contents cannot be read or
// forged without OIDC_RS_CACHE_SECRET. Use rediss:// (TLS) and a password
// anywhere the network is not private all the same: whoever can write to
// the store can delete entries, hold locks and publish invalidations,
// which slows the resource server down but cannot make it accept a token.
// Errors from this package never contain the URL's password.
//
// Redis Pub/Sub keeps no messages: an invalidation published while a
// replica's subscription is reconnecting is lost, and that replica keeps
// its first-level entry until it expires.
//
// See https://redis.io/docs/latest/develop/pubsub/ and
// https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags.
package rediscache
