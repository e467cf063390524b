package core

import (
	"testing"
	"time"
)

// TestHitClockTellsTheWallTime: the hit path's clock agrees with time.Now
// (within a generous bound: this is not a timing test), carries no
// monotonic reading, and takes a new wall-clock reading once its last one
// is a second old, so that a step of the system clock is seen.
func TestHitClockTellsTheWallTime(t *testing.T) {
	t.Parallel()
	c := newHitClock()
	for range 1000 {
		before := time.Now().Round(0)
		got := c.now()
		after := time.Now().Round(0)
		if got.Before(before.Add(-10*time.Millisecond)) || got.After(after.Add(10*time.Millisecond)) {
			t.Fatalf("hit clock %v, time.Now between %v and %v", got, before, after)
		}
		if got != got.Round(0) {
			t.Fatal("the hit clock's time carries a monotonic reading")
		}
	}

	// A stale reading one hour off, as after a step of the system clock:
	// the next call, a second or more later, reads the wall clock again.
	s := c.sync.Load()
	c.sync.Store(&clockSync{wall: s.wall.Add(-time.Hour), at: s.at - resyncEvery})
	if got := c.now(); time.Since(got) > time.Minute {
		t.Fatalf("the hit clock kept a reading more than a second old: %v", got)
	}
	// A reading taken after this call read the monotonic clock (another
	// goroutine's resync): its wall time is used as is, without a resync.
	w := time.Now().Round(0).Add(time.Millisecond)
	c.sync.Store(&clockSync{wall: w, at: time.Since(c.start) + time.Millisecond})
	if got := c.now(); got != w {
		t.Fatalf("the hit clock read %v, want the newer reading %v", got, w)
	}
}

// TestOneClock: a ResourceServer given a clock reads it everywhere,
// the hit path included; one without reads the system clock through
// hitClock.
func TestOneClock(t *testing.T) {
	t.Parallel()
	fixed := time.Unix(1_000_000_000, 0)
	o := buildOptions([]Option{WithClock(func() time.Time { return fixed })})
	if o.clock.sys != nil || o.clock.now() != fixed || o.now() != fixed {
		t.Fatal("WithClock's clock is not the one clock")
	}
	if buildOptions(nil).clock.sys == nil {
		t.Fatal("the default clock does not use the hit clock")
	}
}
