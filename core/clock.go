package core

import (
	"time"

	"github.com/oidcrs/oidcrs/core/internal/wallclock"
)

// clock is a ResourceServer's one source of time: claims, the cache and
// its hits, the monitor's health intervals and call durations, discovery's
// retry, the shared cache's breaker and waits all read it. It is
// WithClock's function when one is given, else the system clock read
// through a wallclock.Clock (half the cost of time.Now).
type clock struct {
	fn  func() time.Time // WithClock's; nil with sys
	sys *wallclock.Clock
}

func newClock(fn func() time.Time) *clock {
	if fn == nil {
		return &clock{sys: wallclock.New()}
	}
	return &clock{fn: fn}
}

// now returns the current time.
func (c *clock) now() time.Time {
	if c.sys != nil {
		return c.sys.Now()
	}
	return c.fn()
}
