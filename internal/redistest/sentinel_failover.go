package redistest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// KillMaster ends the current master with SIGKILL, as kill -9 would, and
// returns its address; the sentinels then fail it over once DownAfter has
// passed. WaitNewMaster measures from here.
func (d *Sentinel) KillMaster(t testing.TB) string {
	t.Helper()
	old := d.Master(t)
	s := d.Node(old)
	if s == nil || !s.alive() {
		t.Fatalf("redistest: KillMaster: the sentinels' master %s is not running", old)
	}
	d.mu.Lock()
	d.changedAt = time.Now()
	d.mu.Unlock()
	s.Kill()
	return old
}

// Failover asks a sentinel to fail the master over now (SENTINEL
// FAILOVER), without waiting for it to be down, and returns the old
// master's address. It retries while the sentinel finds no replica fit to
// promote yet. WaitNewMaster measures from here.
func (d *Sentinel) Failover(t testing.TB) string {
	t.Helper()
	old := d.Master(t)
	var at time.Time
	waitFor(t, "SENTINEL FAILOVER", sentinelTimeout, func() error {
		var err error
		for _, s := range d.sentinels {
			if !s.alive() {
				continue
			}
			at = time.Now()
			if _, err = s.do("SENTINEL", "FAILOVER", d.name); err == nil {
				return nil
			}
			if !strings.HasPrefix(err.Error(), "NOGOODSLAVE") {
				t.Fatalf("redistest: SENTINEL FAILOVER: %v", err)
			}
		}
		if err == nil {
			err = errors.New("no sentinel runs")
		}
		return err
	})
	d.mu.Lock()
	d.changedAt = at
	d.mu.Unlock()
	return old
}

// WaitNewMaster waits until every running sentinel names the same master,
// other than old, and that server says it is a master. It returns the new
// master's address and the time since the last KillMaster or Failover
// (since the call, if neither ran), and fails the test if that takes over
// 2 minutes.
func (d *Sentinel) WaitNewMaster(t testing.TB, old string) (string, time.Duration) {
	t.Helper()
	d.mu.Lock()
	start := d.changedAt
	d.mu.Unlock()
	if start.IsZero() {
		start = time.Now()
	}
	var addr string
	waitFor(t, "new master instead of "+old, sentinelTimeout, func() error {
		addr = ""
		for _, s := range d.sentinels {
			if !s.alive() {
				continue
			}
			a, err := d.masterAddr(s)
			if err != nil {
				return err
			}
			if a == old {
				return fmt.Errorf("sentinel %s still names %s", s.Addr(), old)
			}
			if addr != "" && a != addr {
				return fmt.Errorf("sentinels disagree: %s and %s", addr, a)
			}
			addr = a
		}
		n := d.Node(addr)
		if n == nil {
			return fmt.Errorf("the sentinels name %s, not a server of this deployment", addr)
		}
		info, err := text(n.do("INFO", "replication"))
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		if role := infoField(info, "role"); role != "master" {
			return fmt.Errorf("%s: role:%s", addr, role)
		}
		return nil
	})
	return addr, time.Since(start)
}
