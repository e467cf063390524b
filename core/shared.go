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
// verdict. It deals in sealed bytes and plaintexts: the ResourceServer
// drives a lookup (introspect.go), reads the plaintexts with its own
// checks and asks the authorization server itself, so calls run one way,
// from the ResourceServer down to the store. See shared_seal.go for what
// the store holds.
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

	local   verdictCache   // the first level, whose entries invalidations drop
	stop    func()         // ends the invalidation subscription
	pending sync.WaitGroup // writes in flight
}

const (
	sharedPoll             = 10 * time.Millisecond
	sharedBreakerThreshold = 3
	sharedBreakerCooldown  = 2 * time.Second
)

func newSharedCache(s Settings, store SharedStore, fp *fingerprint, o options, local verdictCache, mon *monitor) (*sharedCache, error) {
	if len(s.CacheSecrets) == 0 {
		return nil, fmt.Errorf("OIDC_RS_CACHE_SECRET: is required with a shared cache (at least %d bytes)", minCacheSecretLen)
	}
	if s.DisableCache {
		return nil, errors.New("OIDC_RS_CACHE_TTL: a shared cache needs the cache on")
	}
	sc := &sharedCache{store: store, fp: fp, timeout: s.CacheTimeout, wait: s.Timeout, poll: sharedPoll,
		logger: o.logger, now: o.now, local: local, mon: mon,
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

// sharedLookup is one token's lookup in the shared cache, driven by the
// ResourceServer: read, lock, wait, share.
type sharedLookup struct {
	sc       *sharedCache
	token    string
	key      string // under the first secret
	lock     string
	lockID   string // set once this replica holds the lock
	deadline time.Time
	polls    time.Duration // polls left; the wait also ends at the deadline
}

// begin starts a lookup of token, or returns nil when the breaker is open:
// the caller then asks alone. The wait for another replica ends at the
// deadline by the clock, or after as many polls as fit in it, whichever
// comes first: a test's clock that stands still cannot hold a request.
func (sc *sharedCache) begin(token string) *sharedLookup {
	if !sc.breaker.allow() {
		return nil
	}
	key := sc.keys[0].storeKey(sc.fp, token)
	return &sharedLookup{sc: sc, token: token, key: key, lock: key + lockSuffix,
		deadline: sc.now().Add(sc.wait), polls: sc.wait / sc.poll}
}

// read returns the plaintext stored for the token under the newest secret
// whose value opens (nil: none), and whether another replica holds its
// lock. An error means the store failed: the caller asks alone.
func (l *sharedLookup) read(ctx context.Context) (plain []byte, held bool, err error) {
	sc := l.sc
	var vals [][]byte
	if err = sc.call(ctx, func(ctx context.Context) (err error) { vals, err = sc.store.Get(ctx, l.key, l.lock); return err }); err != nil {
		sc.breaker.failure()
		return nil, false, err
	}
	if len(vals) != 2 {
		sc.breaker.failure()
		return nil, false, errors.New("shared store answered the wrong number of values")
	}
	held = vals[1] != nil
	if p, ok := sc.openValue(&sc.keys[0], l.key, l.token, vals[0]); ok {
		sc.breaker.success()
		return p, held, nil
	}
	for i := 1; i < len(sc.keys); i++ {
		old := sc.keys[i].storeKey(sc.fp, l.token)
		if err = sc.call(ctx, func(ctx context.Context) (err error) { vals, err = sc.store.Get(ctx, old); return err }); err != nil {
			sc.breaker.failure()
			return nil, held, err
		}
		if len(vals) == 1 {
			if p, ok := sc.openValue(&sc.keys[i], old, l.token, vals[0]); ok {
				sc.breaker.success()
				return p, held, nil
			}
		}
	}
	sc.breaker.success()
	return nil, held, nil
}

// take tries to take the token's lock. An error means the store failed.
func (l *sharedLookup) take(ctx context.Context) (bool, error) {
	sc := l.sc
	id := lockID()
	var got bool
	err := sc.call(ctx, func(ctx context.Context) (err error) {
		got, err = sc.store.SetNX(ctx, l.lock, []byte(id), 2*sc.wait)
		return err
	})
	if err != nil {
		sc.breaker.failure()
		return false, err
	}
	if got {
		l.lockID = id
	}
	return got, nil
}

// wait sleeps one poll and reports true, or reports false when the wait
// for another replica is over.
func (l *sharedLookup) wait() bool {
	if l.polls <= 0 || !l.sc.now().Before(l.deadline) {
		return false
	}
	l.polls--
	time.Sleep(l.sc.poll)
	return true
}

// openValue opens a stored value; one that does not open is a miss.
func (sc *sharedCache) openValue(k *sealKeys, key, token string, sealed []byte) ([]byte, bool) {
	if sealed == nil {
		return nil, false
	}
	aead, err := k.valueAEAD(sc.fp, token)
	if err != nil {
		return nil, false
	}
	plain, err := open(aead, sealed, key)
	if err != nil {
		sc.logger.LogAttrs(context.Background(), slog.LevelDebug, "oidcrs: shared cache value ignored", slog.String("error", err.Error()))
		return nil, false
	}
	return plain, true
}

// share stores v when it may be cached, then releases the lock this
// lookup holds, in the background: the request does not wait on the
// store.
func (l *sharedLookup) share(ctx context.Context, v verdict) {
	sc := l.sc
	var sealed []byte
	var ttl time.Duration
	if v.keep && sc.breaker.allow() {
		if plain, ok := encodeVerdict(v.entry); ok {
			if aead, err := sc.keys[0].valueAEAD(sc.fp, l.token); err == nil {
				sealed, ttl = seal(aead, plain, l.key), v.entry.expires.Sub(sc.now())
			}
		}
	}
	if (sealed == nil || ttl <= 0) && l.lockID == "" {
		return
	}
	key, lock, id := l.key, l.lock, l.lockID
	sc.pending.Add(1)
	go func() {
		defer sc.pending.Done()
		if sealed != nil && ttl > 0 {
			if err := sc.call(ctx, func(ctx context.Context) error { return sc.store.Set(ctx, key, sealed, ttl) }); err != nil {
				sc.breaker.failure()
			}
		}
		if id != "" {
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
			if sc.local != nil {
				sc.local.remove(cacheKey(plain))
			}
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
