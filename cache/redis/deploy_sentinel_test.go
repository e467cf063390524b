package rediscache_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

// Real Sentinel (1 master, 1 replica, 3 sentinels, down-after 2 s): the
// fleet shares through the failover URL, answers right while the master
// is killed with kill -9, and shares again once the sentinels promoted
// the replica; the times measured go to the test log.

func TestDeploySentinel(t *testing.T) {
	t.Parallel()
	s := redistest.StartSentinel(t, redistest.SentinelOptions{DownAfter: 2 * time.Second})
	d := startDeployment(t, s.URL(), 4, nil)
	d.shareN(t, 20)
	cached, _, _ := d.share(t) // every replica holds it, for Forget

	killed := time.Now()
	old := s.KillMaster(t)

	// With the only master down, Forget reaches no store: it must say so.
	took, err := d.forget(t, cached)
	if err != nil {
		t.Logf("Forget, master down: an error (%v)", causeClass(err))
	} else {
		t.Logf("Forget, master down: nil; every other replica refused it %v after", took.Round(time.Microsecond))
	}

	var promoted time.Duration
	back := d.waitSharing(t, killed, func(string) bool { return true }, func() {
		if promoted == 0 && s.Master(t) != old {
			promoted = time.Since(killed)
		}
	})
	t.Logf("kill -9 of the Sentinel master: sharing back %v after the kill (the sentinels named the new master %v after)",
		back.Round(time.Millisecond), promoted.Round(time.Millisecond))
	s.WaitNewMaster(t, old)
	d.shareSteady(t, 10)

	if err != nil {
		took, err := d.forget(t, cached)
		require.NoError(t, err, "Forget again once the new master serves")
		t.Logf("Forget again after the failover: nil; every other replica refused it %v after", took.Round(time.Microsecond))
	}
	for _, rs := range d.rss {
		d.check(t, rs, cached, http.StatusUnauthorized)
	}
	assert.Zero(t, d.wrong.Load(), "wrong answers")
}
