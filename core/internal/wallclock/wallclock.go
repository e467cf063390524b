// Package wallclock tells the system time at about half the cost of
// time.Now.
package wallclock

import (
	"sync/atomic"
	"time"
)

// Clock tells the system time at about half the cost of time.Now, which
// reads two clocks: it reads the monotonic clock only, and the wall clock
// at most once a second, adding the monotonic time elapsed since. A step
// of the system's wall clock therefore reaches it within a second: until
// then an exp check can be off by the step, forward or back (a second's
// delay at most).
type Clock struct {
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

// New returns a Clock that has just read the wall clock.
func New() *Clock {
	c := &Clock{start: time.Now()}
	c.resync()
	return c
}

func (c *Clock) resync() time.Time {
	n := time.Now()
	c.sync.Store(&clockSync{wall: n.Round(0), at: n.Sub(c.start)})
	return n.Round(0)
}

// Now returns the wall time, without a monotonic reading. It is safe for
// concurrent use.
func (c *Clock) Now() time.Time {
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
