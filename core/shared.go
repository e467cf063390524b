package core

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/sharedcache"
)

// newSharedCache builds the second level of the verdict cache on store:
// internal/sharedcache keeps the store's keys, sealing, lock and breaker;
// the ResourceServer says what a verdict is (sharedAsk). Each store call is
// reported to the monitor as the shared cache's endpoint, and an
// invalidation drops the entry from local, the first level.
func newSharedCache(s Settings, store SharedStore, fp fingerprint, o options, local *verdictCache, mon *monitor) (*sharedcache.Cache, error) {
	if len(s.CacheSecrets) == 0 {
		return nil, fmt.Errorf("OIDC_RS_CACHE_SECRET: is required with a shared cache (at least %d bytes)", minCacheSecretLen)
	}
	if s.DisableCache {
		return nil, errors.New("OIDC_RS_CACHE_TTL: a shared cache needs the cache on")
	}
	observe := func(ctx context.Context) (context.Context, func(error)) {
		ctx, end := mon.call(ctx, EndpointSharedCache, "", true)
		return ctx, func(err error) {
			if err != nil {
				err = newError(ErrUnavailable, descFetchFailed, err)
			}
			end(0, err)
		}
	}
	c, err := sharedcache.New(sharedcache.Config{Store: store, Secrets: s.CacheSecrets, Fingerprint: fp,
		Timeout: s.CacheTimeout, Wait: s.Timeout, TTL: s.CacheTTL + s.CacheStaleIfError, Now: o.now, Logger: o.logger, Observe: observe,
		Drop: func(k [32]byte) { local.Remove(k) }})
	if err != nil {
		return nil, fmt.Errorf("OIDC_RS_CACHE_SECRET: %w", err)
	}
	return c, nil
}

// sharedAsk is one token's lookup in the shared cache, its configuration
// chosen once: it asks with it, and reads a shared verdict with its checks.
// v is the verdict found; hit says that it came from the store. stale is
// a verified answer read from the store past its TTL, for stale-if-error.
type sharedAsk struct {
	rs    *ResourceServer
	cfg   *issuer
	local bool
	token string
	v     verdict
	hit   bool
	stale []byte
}

// Ask asks the authorization server, and returns what may be shared and
// how long the store keeps it: its TTL, plus the stale window of a
// verified answer.
func (q *sharedAsk) Ask(ctx context.Context) ([]byte, time.Time) {
	q.v = q.rs.ask(ctx, q.cfg, q.local, q.token)
	if !q.v.keep {
		q.onError(ctx)
		return nil, time.Time{}
	}
	plain, ok := encodeVerdict(q.v.entry)
	if !ok {
		return nil, time.Time{}
	}
	return plain, maxTime(q.v.entry.Expires, q.rs.staleUntil(q.v.entry))
}

// Accept reads a shared verdict with this server's own checks and bounds.
func (q *sharedAsk) Accept(plain []byte) bool {
	v, ok := q.rs.fromShared(q.cfg, q.local, plain)
	if ok {
		q.v, q.hit = v, true
	} else {
		q.keepStale(plain)
	}
	return ok
}
