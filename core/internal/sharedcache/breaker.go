package sharedcache

import (
	"sync"
	"time"
)

// breaker skips the shared cache for a cooldown after repeated failures,
// so that a dead or slow store costs requests nothing. After the cooldown
// one caller tries the store again; a success closes the breaker. The
// store's health is logged by the monitor, once per state change, like
// the authorization server's.
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

// failure records a failed call.
func (b *breaker) failure() {
	b.mu.Lock()
	b.failures++
	if (b.openUntil.IsZero() && b.failures >= b.threshold) || b.probing {
		b.openUntil, b.probing = b.now().Add(b.cooldown), false
	}
	b.mu.Unlock()
}
