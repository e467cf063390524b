// Package sharedcache is the second level of the verdict cache, on a store
// that every replica shares (Redis): the keys and sealing that keep the
// store from reading or forging what it holds, the cross-replica lock and
// wait, the breaker that skips a failing store, and Forget: its markers
// and invalidation messages. It deals in plaintexts: what a verdict is, and whether one read
// from the store can be used, is its caller's to say (see Asker).
package sharedcache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Store is what the cache is kept in; core.SharedStore documents its
// contract.
type Store interface {
	Get(ctx context.Context, keys ...string) ([][]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	DeleteIfEqual(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, keys ...string) error
	Publish(ctx context.Context, channel string, msg []byte) error
	Subscribe(channel string, handle func(msg []byte)) (stop func())
}

// Config is what New needs. Every field is required.
type Config struct {
	Store       Store
	Secrets     []string // the first seals; all of them open
	Fingerprint [32]byte // binds every key and value to the caller's settings
	Timeout     time.Duration
	Wait        time.Duration // how long a lookup waits on another replica's lock
	TTL         time.Duration // the longest a value lives (OIDC_RS_CACHE_TTL plus the stale window): a Forget marker's life
	Now         func() time.Time
	Logger      *slog.Logger
	// Observe reports a store call about to be made; the function it
	// returns takes how the call ended.
	Observe func(ctx context.Context) (context.Context, func(error))
	// Drop removes the first-level entry an invalidation message names.
	Drop func(key [32]byte)
}

// Cache is the shared cache of one ResourceServer; it is safe for
// concurrent use.
type Cache struct {
	cfg     Config
	keys    []sealKeys // one per secret; the first writes
	poll    time.Duration
	breaker *breaker
	stop    func()         // ends the invalidation subscription
	pending sync.WaitGroup // writes in flight

	mu      sync.Mutex
	writing map[string]*write // writes in flight, by store key
}

// write is one key's writes in flight; done closes when the last ends.
type write struct {
	n    int
	done chan struct{}
}

// begin registers a write of key; the function it returns ends it.
func (c *Cache) begin(key string) func() {
	c.mu.Lock()
	w := c.writing[key]
	if w == nil {
		w = &write{done: make(chan struct{})}
		c.writing[key] = w
	}
	w.n++
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if w.n--; w.n == 0 {
			delete(c.writing, key)
			close(w.done)
		}
		c.mu.Unlock()
	}
}

// settled waits until no write of key is in flight, or ctx ends.
func (c *Cache) settled(ctx context.Context, key string) error {
	c.mu.Lock()
	w := c.writing[key]
	c.mu.Unlock()
	if w == nil {
		return nil
	}
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

const (
	poll             = 10 * time.Millisecond
	breakerThreshold = 3
	breakerCooldown  = 2 * time.Second
)

// New derives the keys of every secret and subscribes to invalidations.
func New(cfg Config) (*Cache, error) {
	c := &Cache{cfg: cfg, poll: poll, writing: map[string]*write{},
		breaker: &breaker{threshold: breakerThreshold, cooldown: breakerCooldown, now: cfg.Now}}
	for _, sec := range cfg.Secrets {
		k, err := deriveSealKeys(sec)
		if err != nil {
			return nil, err
		}
		c.keys = append(c.keys, k)
	}
	if len(c.keys) == 0 {
		return nil, errors.New("no secret")
	}
	c.stop = cfg.Store.Subscribe(invalChannel, c.onInvalidate)
	return c, nil
}

// call runs one store call under its own timeout, detached from the
// request's cancellation.
func (c *Cache) call(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
	defer cancel()
	ctx, end := c.cfg.Observe(ctx)
	err := f(ctx)
	end(err)
	return err
}

// onInvalidate drops the first-level entry an invalidation names; a
// message that does not open under any secret is ignored.
func (c *Cache) onInvalidate(msg []byte) {
	for i := range c.keys {
		if plain, err := open(c.keys[i].inval, messageVersion, msg, invalChannel); err == nil && len(plain) == 32 {
			c.cfg.Drop([32]byte(plain))
			return
		}
	}
}

// Close ends the subscription, waits for the writes in flight, and closes
// the store when it can be.
func (c *Cache) Close() error {
	c.stop()
	c.pending.Wait()
	if cl, ok := c.cfg.Store.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

func lockID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
