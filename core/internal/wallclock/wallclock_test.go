package wallclock

import (
	"testing"
	"time"
)

// TestClockTellsTheWallTime: the clock agrees with time.Now
// (within a generous bound: this is not a timing test), carries no
// monotonic reading, and takes a new wall-clock reading once its last one
// is a second old, so that a step of the system clock is seen.
func TestClockTellsTheWallTime(t *testing.T) {
	t.Parallel()
	c := New()
	for range 1000 {
		before := time.Now().Round(0)
		got := c.Now()
		after := time.Now().Round(0)
		if got.Before(before.Add(-10*time.Millisecond)) || got.After(after.Add(10*time.Millisecond)) {
			t.Fatalf("clock %v, time.Now between %v and %v", got, before, after)
		}
		if got != got.Round(0) {
			t.Fatal("the clock's time carries a monotonic reading")
		}
	}

	// A stale reading one hour off, as after a step of the system clock:
	// the next call, a second or more later, reads the wall clock again.
	s := c.sync.Load()
	c.sync.Store(&clockSync{wall: s.wall.Add(-time.Hour), at: s.at - resyncEvery})
	if got := c.Now(); time.Since(got) > time.Minute {
		t.Fatalf("the clock kept a reading more than a second old: %v", got)
	}
	// A reading taken after this call read the monotonic clock (another
	// goroutine's resync): its wall time is used as is, without a resync.
	w := time.Now().Round(0).Add(time.Millisecond)
	c.sync.Store(&clockSync{wall: w, at: time.Since(c.start) + time.Millisecond})
	if got := c.Now(); got != w {
		t.Fatalf("the clock read %v, want the newer reading %v", got, w)
	}
}
