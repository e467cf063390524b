package core

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// breaker skips the shared cache for a cooldown after repeated failures,
// so that a dead or slow store costs requests nothing, and logs once per
// state change, not once per request. After the cooldown one caller tries
// the store again; a success closes the breaker.
type breaker struct {
	threshold int
	cooldown  time.Duration
	logger    *slog.Logger
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
	wasOpen := !b.openUntil.IsZero()
	b.failures, b.openUntil, b.probing = 0, time.Time{}, false
	b.mu.Unlock()
	if wasOpen {
		b.logger.LogAttrs(context.Background(), slog.LevelInfo, "oidcrs: shared cache is back; sharing verdicts again")
	}
}

// failure records a failed call; err goes to the log on a state change.
func (b *breaker) failure(err error) {
	b.mu.Lock()
	b.failures++
	opening := b.openUntil.IsZero() && b.failures >= b.threshold
	if opening || b.probing {
		b.openUntil, b.probing = b.now().Add(b.cooldown), false
	}
	b.mu.Unlock()
	if opening {
		b.logger.LogAttrs(context.Background(), slog.LevelWarn, "oidcrs: shared cache unavailable; using the local cache and the authorization server",
			slog.String("error", err.Error()), slog.Duration("retry_in", b.cooldown))
	}
}
