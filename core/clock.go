package core

import (
	"sync/atomic"
	"time"
)

// clock is a ResourceServer's one source of time: claims, the cache and
// its hits, the monitor's health intervals and call durations, discovery's
// retry, the shared cache's breaker and waits all read it. It is
// WithClock's function when one is given, else the system clock read
// through a hitClock.
type clock struct {
	fn  func() time.Time // WithClock's; nil with sys
	sys *hitClock
}

func newClock(fn func() time.Time) *clock {
	if fn == nil {
		return &clock{sys: newHitClock()}
	}
	return &clock{fn: fn}
}

// now returns the current time.
func (c *clock) now() time.Time {
	if c.sys != nil {
		return c.sys.now()
	}
	return c.fn()
}

// hitClock tells the system time at about half the cost of time.Now, which
// reads two clocks: it reads the monotonic clock only, and the wall clock
// at most once a second, adding the monotonic time elapsed since. A step
// of the system's wall clock therefore reaches it within a second: until
// then an exp check can be off by the step, forward or back (a second's
// delay at most).
type hitClock struct {
	start time.Time // with a monotonic reading
	sync  atomic.Pointer[clockSync]
}

// clockSync is one wall-clock reading: wall, without its monotonic
// reading, taken at monotonic offset at from start.
type clockSync struct {
	wall time.Time
	at   time.Duration
}

// resyncEvery bounds how long a wall-clock step goes unseen.
const resyncEvery = time.Second

func newHitClock() *hitClock {
	c := &hitClock{start: time.Now()}
	c.resync()
	return c
}

func (c *hitClock) resync() time.Time {
	n := time.Now()
	c.sync.Store(&clockSync{wall: n.Round(0), at: n.Sub(c.start)})
	return n.Round(0)
}

// now returns the wall time, without a monotonic reading.
func (c *hitClock) now() time.Time {
	d := time.Since(c.start)
	s := c.sync.Load()
	switch {
	case d < s.at: // another goroutine resynced after this one read the clock
		return s.wall // later by the time in between: an exp check errs toward refusing
	case d-s.at >= resyncEvery:
		return c.resync()
	}
	return s.wall.Add(d - s.at)
}
