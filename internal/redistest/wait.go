package redistest

import (
	"fmt"
	"testing"
	"time"
)

// waitFor calls check every pollEvery until it returns nil, and fails the
// test with check's last error if that takes longer than timeout. The
// timeouts are wide: they only bound a deployment that is stuck.
func waitFor(t testing.TB, what string, timeout time.Duration, check func() error) {
	t.Helper()
	if err := poll(timeout, check); err != nil {
		t.Fatalf("redistest: %s: %v", what, err)
	}
}

// poll is waitFor returning the failure instead.
func poll(timeout time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not within %v: %w", timeout, err)
		}
		<-tick.C
	}
}
