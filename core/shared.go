package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// sharedCache is the second level of the verdict cache, on a SharedStore:
// a first-level miss reads it; on a miss there, one replica takes a short
// lock and asks the authorization server while the others poll for its
// verdict. See shared_seal.go for what the store holds.
type sharedCache struct {
	store   SharedStore
	keys    []sealKeys // one per OIDC_RS_CACHE_SECRET; the first writes
	fp      *fingerprint
	timeout time.Duration // each store call (OIDC_RS_CACHE_TIMEOUT)
	wait    time.Duration // how long to wait on another replica (OIDC_TIMEOUT)
	poll    time.Duration
	breaker *breaker
	logger  *slog.Logger
	now     func() time.Time
	mon     *monitor

	decode  func(token string, plain []byte) (verdict, bool) // reads a value's plaintext
	drop    func(cacheKey)                                   // drops a first-level entry
	stop    func()                                           // ends the invalidation subscription
	pending sync.WaitGroup                                   // writes in flight
}

const (
	sharedPoll             = 10 * time.Millisecond
	sharedBreakerThreshold = 3
	sharedBreakerCooldown  = 2 * time.Second
)

func newSharedCache(s Settings, store SharedStore, fp *fingerprint, o options,
	decode func(string, []byte) (verdict, bool), drop func(cacheKey), mon *monitor) (*sharedCache, error) {
	if len(s.CacheSecrets) == 0 {
		return nil, fmt.Errorf("OIDC_RS_CACHE_SECRET: is required with a shared cache (at least %d bytes)", minCacheSecretLen)
	}
	if s.DisableCache {
		return nil, errors.New("OIDC_RS_CACHE_TTL: a shared cache needs the cache on")
	}
	sc := &sharedCache{store: store, fp: fp, timeout: s.CacheTimeout, wait: s.Timeout, poll: sharedPoll,
		logger: o.logger, now: o.now, decode: decode, drop: drop, mon: mon,
		breaker: &breaker{threshold: sharedBreakerThreshold, cooldown: sharedBreakerCooldown, now: o.now}}
	for _, sec := range s.CacheSecrets {
		k, err := deriveSealKeys(sec)
		if err != nil {
			return nil, fmt.Errorf("OIDC_RS_CACHE_SECRET: %w", err)
		}
		sc.keys = append(sc.keys, k)
	}
	sc.stop = store.Subscribe(invalChannel, sc.onInvalidate)
	return sc, nil
}

// call runs one store call under its own timeout, detached from the
// request's cancellation.
func (sc *sharedCache) call(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sc.timeout)
	defer cancel()
	ctx, end := sc.mon.call(ctx, EndpointSharedCache, "", true)
	err := f(ctx)
	if err != nil {
		err = newError(ErrUnavailable, descFetchFailed, err)
	}
	end(0, err)
	return err
}

// resolve finds the verdict on token: in the store, from the replica that
// holds the token's lock, or by asking the authorization server. Any store
// failure makes it ask alone, so a request waits on a broken store at most
// one store timeout.
func (sc *sharedCache) resolve(ctx context.Context, token string, ask func(context.Context, string) verdict) verdict {
	if !sc.breaker.allow() {
		return ask(ctx, token)
	}
	key := sc.keys[0].storeKey(sc.fp, token)
	lock := key + lockSuffix
	// The wait ends at the deadline by the clock, or after as many polls as
	// fit in it, whichever comes first: a test's clock that stands still
	// cannot hold a request forever.
	deadline := sc.now().Add(sc.wait)
	for polls := sc.wait / sc.poll; ; polls-- {
		found, held, err := sc.lookup(ctx, token, key, lock)
		if err != nil {
			sc.breaker.failure()
			return ask(ctx, token)
		}
		sc.breaker.success()
		if found != nil {
			return *found
		}
		if !held {
			id := lockID()
			var got bool
			err := sc.call(ctx, func(ctx context.Context) (err error) {
				got, err = sc.store.SetNX(ctx, lock, []byte(id), 2*sc.wait)
				return err
			})
			if err != nil {
				sc.breaker.failure()
				return ask(ctx, token)
			}
			if got {
				v := ask(ctx, token)
				sc.share(ctx, key, lock, id, token, v)
				return v
			}
		}
		if polls <= 0 || !sc.now().Before(deadline) {
			v := ask(ctx, token) // the holder is too slow, or gone: alone
			sc.share(ctx, key, "", "", token, v)
			return v
		}
		time.Sleep(sc.poll)
	}
}

// lookup reads token's value and lock in one round trip, then, on a miss,
// the values under older secrets. A value that does not open is a miss.
func (sc *sharedCache) lookup(ctx context.Context, token, key, lock string) (found *verdict, held bool, err error) {
	var vals [][]byte
	if err = sc.call(ctx, func(ctx context.Context) (err error) { vals, err = sc.store.Get(ctx, key, lock); return err }); err != nil {
		return nil, false, err
	}
	if len(vals) != 2 {
		return nil, false, errors.New("shared store answered the wrong number of values")
	}
	held = vals[1] != nil
	if v, ok := sc.openValue(&sc.keys[0], key, token, vals[0]); ok {
		return &v, held, nil
	}
	for i := 1; i < len(sc.keys); i++ {
		old := sc.keys[i].storeKey(sc.fp, token)
		if err = sc.call(ctx, func(ctx context.Context) (err error) { vals, err = sc.store.Get(ctx, old); return err }); err != nil {
			return nil, held, err
		}
		if len(vals) == 1 {
			if v, ok := sc.openValue(&sc.keys[i], old, token, vals[0]); ok {
				return &v, held, nil
			}
		}
	}
	return nil, held, nil
}

// openValue opens and reads a stored value; one that does not open, or
// that this server's checks refuse, is a miss.
func (sc *sharedCache) openValue(k *sealKeys, key, token string, sealed []byte) (verdict, bool) {
	if sealed == nil {
		return verdict{}, false
	}
	aead, err := k.valueAEAD(sc.fp, token)
	if err != nil {
		return verdict{}, false
	}
	plain, err := open(aead, sealed, key)
	if err != nil {
		sc.logger.LogAttrs(context.Background(), slog.LevelDebug, "oidcrs: shared cache value ignored", slog.String("error", err.Error()))
		return verdict{}, false
	}
	return sc.decode(token, plain)
}

// share stores a verdict that may be cached, then releases the lock, in
// the background: the request does not wait on the store.
func (sc *sharedCache) share(ctx context.Context, key, lock, id, token string, v verdict) {
	var sealed []byte
	var ttl time.Duration
	if v.keep && sc.breaker.allow() {
		if plain, ok := encodeVerdict(v.entry); ok {
			if aead, err := sc.keys[0].valueAEAD(sc.fp, token); err == nil {
				sealed, ttl = seal(aead, plain, key), v.entry.expires.Sub(sc.now())
			}
		}
	}
	if (sealed == nil || ttl <= 0) && lock == "" {
		return
	}
	sc.pending.Add(1)
	go func() {
		defer sc.pending.Done()
		if sealed != nil && ttl > 0 {
			if err := sc.call(ctx, func(ctx context.Context) error { return sc.store.Set(ctx, key, sealed, ttl) }); err != nil {
				sc.breaker.failure()
			}
		}
		if lock != "" {
			_ = sc.call(ctx, func(ctx context.Context) error { return sc.store.DeleteIfEqual(ctx, lock, []byte(id)) })
		}
	}()
}

// forget deletes token's values under every secret and tells every
// replica to drop its first-level entry.
func (sc *sharedCache) forget(ctx context.Context, key cacheKey, token string) error {
	var errs []error
	for i := range sc.keys {
		k := sc.keys[i].storeKey(sc.fp, token)
		errs = append(errs, sc.call(ctx, func(ctx context.Context) error { return sc.store.Delete(ctx, k) }))
	}
	msg := seal(sc.keys[0].inval, key[:], invalChannel)
	errs = append(errs, sc.call(ctx, func(ctx context.Context) error { return sc.store.Publish(ctx, invalChannel, msg) }))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("oidcrs: shared cache: %w", err)
	}
	return nil
}

// onInvalidate drops the first-level entry an invalidation names; a
// message that does not open under any secret is ignored.
func (sc *sharedCache) onInvalidate(msg []byte) {
	for i := range sc.keys {
		if plain, err := open(sc.keys[i].inval, msg, invalChannel); err == nil && len(plain) == len(cacheKey{}) {
			sc.drop(cacheKey(plain))
			return
		}
	}
}

// close ends the subscription, waits for the writes in flight, and closes
// the store when it can be.
func (sc *sharedCache) close() error {
	sc.stop()
	sc.pending.Wait()
	if c, ok := sc.store.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func lockID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
