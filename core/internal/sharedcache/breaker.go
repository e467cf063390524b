package sharedcache

import (
	"errors"
	"sync"
	"time"
)

// breaker skips the shared cache for a cooldown after repeated failures,
// so that a dead or slow store costs requests nothing. After the cooldown
// one caller tries the store again; a success closes the breaker. A
// partial failure (see partial) counts as neither. The store's health is
// logged by the monitor, once per state change, like the authorization
// server's.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time // zero: closed
	probing   bool      // one caller is trying the store after the cooldown
}

// allow reports whether a caller may use the store now.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openUntil.IsZero() {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// success records a working call.
func (b *breaker) success() {
	b.mu.Lock()
	b.failures, b.openUntil, b.probing = 0, time.Time{}, false
	b.mu.Unlock()
}

// neutral records a call that neither worked nor failed as a whole: the
// count of failures in a row stands, and a trial after the cooldown ends
// undecided, so that the next caller tries the store again.
func (b *breaker) neutral() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// failure records a failed call.
func (b *breaker) failure() {
	b.mu.Lock()
	b.failures++
	if (b.openUntil.IsZero() && b.failures >= b.threshold) || b.probing {
		b.openUntil, b.probing = b.now().Add(b.cooldown), false
	}
	b.mu.Unlock()
}

// partial is implemented, anywhere in its chain, by a store's error that
// concerns only some keys (one node or slot range of a Redis Cluster)
// while the rest of the store answers, when Partial returns true. The
// store already fails fast for its dead part: skipping the whole store
// for it would turn sharing off for every token.
type partial interface{ Partial() bool }

// record tells the breaker how a store call ended. The error has already
// gone to Config.Observe, partial or not, to be logged.
func (c *Cache) record(err error) {
	var p partial
	switch {
	case err == nil:
		c.breaker.success()
	case errors.As(err, &p) && p.Partial():
		c.breaker.neutral()
	default:
		c.breaker.failure()
	}
}
