package redistest

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseNodes(t *testing.T) {
	nodes, err := parseNodes("" +
		"a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [5461->-b2]\n" +
		"b2 127.0.0.1:7002@17002,host master,fail - 0 0 2 disconnected 5461 5462-10922\n" +
		"c3 127.0.0.1:7003@17003 slave a1 0 0 1 connected\n")
	require.NoError(t, err)
	require.Len(t, nodes, 3)
	assert.Equal(t, "127.0.0.1:7001", nodes[0].addr)
	assert.Equal(t, [][2]int{{0, 5460}}, nodes[0].slots, "a migrating slot is not served yet")
	assert.True(t, nodes[1].failing())
	assert.False(t, nodes[1].linkUp)
	assert.True(t, nodes[1].owns(5461) && nodes[1].owns(10922) && !nodes[1].owns(10923))
	assert.Equal(t, "a1", nodes[2].master)

	v := clusterView{from: "x", info: "cluster_state:ok\r\ncluster_slots_ok:16384\r\n", nodes: nodes}
	owner, err := v.owner(100)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7001", owner)
	require.ErrorContains(t, v.serving(), "127.0.0.1:7002", "a failed master still serves slots")

	_, err = parseNodes("a1 127.0.0.1:7001@17001 master - 0 0 1 connected x-y")
	require.Error(t, err)
}

// TestClusterFailover starts a Cluster with an ACL user, kills the master
// of a key and waits for its replica to take over, with the key.
func TestClusterFailover(t *testing.T) {
	t.Parallel()
	start := time.Now()
	c := StartCluster(t, ClusterOptions{User: &ACLUser{
		Name: "oidcrs", Rules: []string{"~oidcrs:*", "+get", "+set"},
	}})
	t.Logf("cluster ready in %v", time.Since(start).Round(10*time.Millisecond))

	u, err := url.Parse(c.URL())
	require.NoError(t, err)
	assert.Equal(t, "oidcrs", u.User.Username())
	assert.Equal(t, c.Addrs()[0], u.Host)
	assert.Equal(t, c.Addrs()[1:], u.Query()["addr"])
	require.Len(t, c.Masters(t), 3)

	const key = "oidcrs:{token}"
	owner := c.MasterFor(t, key)
	_, err = client(t, owner, c.URL()).do("SET", key, "v")
	require.NoError(t, err)
	for _, m := range c.Masters(t) {
		if m != owner {
			_, err := client(t, m, c.URL()).do("GET", key)
			require.ErrorContains(t, err, "MOVED", "another master redirects")
			require.ErrorContains(t, err, owner)
		}
	}
	acked, err := client(t, owner, c.AdminURL()).do("WAIT", "1", "60000")
	require.NoError(t, err)
	require.Equal(t, int64(1), acked, "the replica has the key before the kill")

	c.KillMaster(t, owner)
	took := c.WaitFailover(t, owner)
	t.Logf("failover %v after kill -9 (cluster-node-timeout 3s)", took.Round(10*time.Millisecond))
	masters := c.Masters(t)
	require.Len(t, masters, 3)
	assert.False(t, slices.Contains(masters, owner))
	promoted := c.MasterFor(t, key)
	require.NotEqual(t, owner, promoted)
	v, err := text(client(t, promoted, c.URL()).do("GET", key))
	require.NoError(t, err)
	assert.Equal(t, "v", v)

	// The old master comes back as the new one's replica, authenticating
	// as the harness's user.
	c.Node(owner).Restart(t)
	waitFor(t, "killed master rejoins", clusterTimeout, c.ready)
	assert.Equal(t, masters, c.Masters(t))
}

func TestClusterNodeTimeoutAndPlainURL(t *testing.T) {
	t.Parallel()
	c := StartCluster(t, ClusterOptions{NodeTimeout: 5 * time.Second})
	assert.True(t, strings.HasPrefix(c.URL(), "redis://"+c.Addrs()[0]+"?addr="), c.URL())
	assert.Equal(t, c.URL(), c.AdminURL())
	for _, addr := range c.Addrs() {
		got, err := c.Node(addr).do("CONFIG", "GET", "cluster-node-timeout")
		require.NoError(t, err)
		assert.Equal(t, []any{"cluster-node-timeout", "5000"}, got)
	}
}
