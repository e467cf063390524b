// Package rediscache is a [core.SharedStore] on Redis: the second level of
// the verdict cache, shared by every replica of a resource server.
//
//	store, err := rediscache.OpenConfig(ctx, rediscache.ConfigFrom(settings, logger)) // OIDC_RS_CACHE_*
//	if err != nil { ... }
//	rs, err := core.New(settings, core.WithSharedCache(store), core.WithLogger(logger)) // rs.Close closes store
//
// [OpenConfig] builds its own client from one URL, which names the
// deployment, parsed by go-redis's own parsers: one server (redis://,
// rediss:// for TLS, unix://), a Redis Cluster (any addr= in the query)
// or Sentinel (master_name= in the query); see [Config]. [Open] is the
// same from a URL and a timeout. [New] wraps a client you built yourself
// (any [redis.UniversalClient]; a *redis.ClusterClient gets Cluster mode).
//
// # Timeouts
//
// The resource server gives each call a short deadline (OIDC_RS_CACHE_TIMEOUT,
// 50 ms by default) and goes on without the store when a call fails. Every
// method therefore honours its context's deadline and never retries, so a
// dead or paused Redis costs a request at most that deadline. A Store from
// [OpenConfig] is configured for it; a client given to [New] must be (see
// New).
//
// # Errors
//
// Every error of a Store method tells its cause, for the resource
// server's logs and health reports: a StoreFailure() string method in its
// chain returns "timeout" (a deadline), "refused" (no connection, a
// connection lost, or Redis unable to serve), "redirect" (MOVED, ASK,
// CLUSTERDOWN, READONLY: another node serves the key), "authentication"
// (WRONGPASS, NOAUTH), "permission" (NOPERM: the ACL) or "tls" (a
// certificate that does not verify, a refused client certificate). A
// Partial() bool method reports a failure of one Cluster node while the
// others answer. go-redis's error stays wrapped for errors.Is and
// errors.As.
//
// go-redis logs through one process-wide logger. A Store opened with a
// Config.Logger installs, once, a forwarder that writes go-redis's lines
// at Info (go-redis gives them no level, and most are news, such as a
// Sentinel's new master; the store's failures reach the resource server's
// log at Warn with their cause) to the logger of every such Store still
// open; with none open,
// they go to standard error, as go-redis's default logger does. A program
// that calls redis.SetLogger itself after that replaces the forwarder.
//
// # Redis Cluster
//
// [Store.Get] and [Store.Delete] send one MGET or DEL, which Redis Cluster
// refuses (CROSSSLOT) for keys in different hash slots. The resource server
// always passes keys that share a hash tag ("{...}"), so they hash to one
// slot; other callers must do the same. Reads go to masters only, as a
// replica may not have seen a Forget yet.
//
// A one-server URL that names a Cluster node is recognised when the store
// opens (INFO cluster) and gets a Cluster client seeded with that node. If
// the node did not answer then, calls on other nodes' keys fail with the
// "redirect" cause, and the store logs once, at Error, how to fix the URL.
//
// Failures count per master: after 3 in a row on one master, calls on its
// keys fail fast for 2 s (their errors are Partial while other masters
// answer) and the slot map is reloaded; keys of other masters are not
// affected. The slot map is also reloaded every 2 s while the store is
// used, so that the new master of a failover serves its slots soon.
//
// Invalidations use sharded Pub/Sub (SPUBLISH, SSUBSCRIBE; Redis 7.0 or
// later): a channel becomes six sharded channels whose hash tags spread
// them over the slot range, so that different masters serve them.
// [Store.Subscribe] subscribes to all six and [Store.Publish] sends on all
// six, so a message reaches every subscriber while any master lives; a
// subscriber may receive it several times.
//
// # Security
//
// The store holds opaque keys (an HMAC of the token) and sealed values
// (AES-GCM): it never sees a token, and its contents cannot be read or
// forged without OIDC_RS_CACHE_SECRET. Use rediss:// (TLS) and a password
// anywhere the network is not private all the same: whoever can write to
// the store can delete entries, hold locks and publish invalidations,
// which slows the resource server down but cannot make it accept a token.
// Errors from this package never contain a password of the URL (the user
// info's, or a Sentinel URL's password=). The TLS files configure this
// client only: the process's trust store, and so the authorization
// server's, is left alone. A URL's skip_verify=true turns certificate
// verification off, as go-redis documents: never use it in production.
//
// Redis Pub/Sub keeps no messages: an invalidation published while a
// replica's subscription is reconnecting is lost, and that replica keeps
// its first-level entry until it expires. [Store.Publish] returns an
// error ([ErrNoReceivers], or the failure) when the message demonstrably
// reached nobody.
//
// See https://redis.io/docs/latest/develop/pubsub/ and
// https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags.
package rediscache
