package rediscache_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

// A real 3+3 Redis Cluster (cluster-node-timeout 3 s): the fleet shares
// through the Cluster URL and through one node's URL, and keeps answering
// right, sharing on the other masters and forgetting while a master is
// killed with kill -9; the times measured go to the test log.

func TestDeployCluster(t *testing.T) {
	t.Parallel()
	start := time.Now()
	c := redistest.StartCluster(t, redistest.ClusterOptions{NodeTimeout: 3 * time.Second})
	t.Logf("cluster of 6 nodes ready in %v", time.Since(start).Round(10*time.Millisecond))
	d := startDeployment(t, c.URL(), 4, nil)
	d.shareN(t, 20)

	t.Run("one node's URL", func(t *testing.T) {
		// A replica node, named alone in a one-server URL: the store
		// recognises a Cluster node and shares through every master.
		masters := c.Masters(t)
		var node string
		for _, a := range c.Addrs() {
			if !slices.Contains(masters, a) {
				node = a
			}
		}
		one := startDeployment(t, "redis://"+node, 4, nil)
		one.shareN(t, 20)
		assert.Len(t, one.logs.lines("names a Redis Cluster node: using a Cluster client"), 4, "each replica's store switched")
		assert.Empty(t, one.logs.lines("failure="), "no store failure")
		assert.Zero(t, one.wrong.Load())
	})

	t.Run("bursts", func(t *testing.T) {
		n := burstCount(t, 10)
		doubles := d.bursts(t, n)
		t.Logf("Cluster: %d of %d bursts of 4 x 25 requests cost more than one introspection", doubles, n)
		assert.Zero(t, doubles)
	})

	t.Run("master killed", func(t *testing.T) { clusterMasterKilled(t, c, d) })
	assert.Zero(t, d.wrong.Load(), "wrong answers")
}

// clusterMasterKilled kills the master of some tokens' keys with kill -9
// and checks, in order: Forget while it is down, sharing on the other
// masters while it is down, and the time until tokens on its slots are
// shared again.
func clusterMasterKilled(t *testing.T, c *redistest.Cluster, d *deployment) {
	masters := c.Masters(t)
	_, key, _ := d.share(t)
	victim := c.MasterFor(t, key)
	// Tokens every replica has cached, one on the victim's slots and one
	// elsewhere, for Forget while the victim is down.
	var onVictim, elsewhere string
	for range 200 {
		tok, key, _ := d.share(t)
		if c.MasterFor(t, key) == victim {
			onVictim = tok
		} else {
			elsewhere = tok
		}
		if onVictim != "" && elsewhere != "" {
			break
		}
	}
	require.True(t, onVictim != "" && elsewhere != "", "no tokens found on each side of the victim")
	// A key's master after the kill is the victim (not failed over yet)
	// or a master that was not one before: its replica, promoted.
	isVictims := func(key string) bool {
		m := c.MasterFor(t, key)
		return m == victim || !slices.Contains(masters, m)
	}
	stillDown := func() bool { return slices.Contains(c.Masters(t), victim) }

	killed := time.Now()
	c.KillMaster(t, victim)

	// Forget while the victim is down: an error, or every replica reached.
	took, err := d.forget(t, elsewhere)
	require.NoError(t, err, "Forget of a token on a live master: the marker, the delete and the invalidation reach live masters")
	t.Logf("Forget, token on a live master, victim down: nil; every other replica refused it %v after", took.Round(time.Microsecond))
	took, forgetErr := d.forget(t, onVictim)
	if forgetErr != nil {
		t.Logf("Forget, token on the killed master: an error (%v)", causeClass(forgetErr))
	} else {
		t.Logf("Forget, token on the killed master: nil; every other replica refused it %v after", took.Round(time.Microsecond))
	}

	// The other masters keep sharing.
	others := 0
	for others < 5 {
		_, key, cost := d.share(t)
		if !isVictims(key) {
			assert.EqualValues(t, 1, cost, "a token on a live master, while one master is down")
			others++
		}
		d.refuse(t)
	}
	require.True(t, stillDown(), "the failover ended before the checks of the outage ran: %v after the kill", time.Since(killed))
	t.Logf("while the killed master was down (%v after the kill): %d tokens on the other masters, each introspected once",
		time.Since(killed).Round(time.Millisecond), others)

	// Tokens on the victim's slots are shared again once its replica
	// took over and every replica's store found it.
	var failedOver time.Duration
	back := d.waitSharing(t, killed, isVictims, func() {
		if failedOver == 0 && !stillDown() {
			failedOver = time.Since(killed)
		}
	})
	t.Logf("kill -9 of a Cluster master: sharing back on its slots %v after the kill (replica promoted, seen %v after)",
		back.Round(time.Millisecond), failedOver.Round(time.Millisecond))
	c.WaitFailover(t, victim)
	d.shareSteady(t, 10)
	if forgetErr != nil {
		// The value outlived the failed Forget on the promoted replica:
		// the caller calls Forget again, as its error asks.
		took, err := d.forget(t, onVictim)
		require.NoError(t, err, "Forget again once the cluster failed over")
		t.Logf("Forget again after the failover: nil; every other replica refused it %v after", took.Round(time.Microsecond))
	}
	for _, tok := range []string{onVictim, elsewhere} {
		for _, rs := range d.rss {
			d.check(t, rs, tok, http.StatusUnauthorized)
		}
	}
}
