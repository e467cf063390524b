package core

import (
	"testing"
	"time"
)

// TestOneClock: a ResourceServer given a clock reads it everywhere,
// the hit path included; one without reads the system clock through
// a wallclock.Clock.
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
