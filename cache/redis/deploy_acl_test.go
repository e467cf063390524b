package rediscache_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

// The least a Redis user needs, per deployment: these rule sets were found
// by running the fleet with fewer rules until Redis refused nothing (its
// ACL LOG lists every refusal, even those go-redis ignores), and
// docs/shared-cache.md gives the same. Each command is there because the
// fleet was refused without it.
var (
	// aclSingle: one server. INFO is the start-up check that the server is
	// not a Cluster node; PING, the subscription's health check.
	aclSingle = aclRules("+mget", "+set", "+del", "+get", "+evalsha", "+eval", "+publish", "+subscribe", "+ping", "+info")
	// aclSentinel: the master and replicas of Sentinel (the sentinels have
	// users of their own): no start-up check.
	aclSentinel = aclRules("+mget", "+set", "+del", "+get", "+evalsha", "+eval", "+publish", "+subscribe", "+ping")
	// aclCluster: each Cluster node, with a URL that names them by addr=;
	// a one-node URL needs +info as well. Sharded Pub/Sub, the slot map
	// and the command table go-redis's Cluster client reads.
	aclCluster = aclRules("+mget", "+set", "+del", "+get", "+evalsha", "+eval", "+spublish", "+ssubscribe", "+ping", "+cluster|slots", "+command")
)

// aclRules are the key and channel patterns, and no command but cmds.
func aclRules(cmds ...string) []string {
	return append([]string{"resetkeys", "~oidcrs:*", "resetchannels", "&oidcrs:*", "-@all"}, cmds...)
}

const aclName = "oidcrs"

// Not parallel with the other tests: go-redis logs through one logger per
// process, so a parallel test's refusals would reach these logs.
func TestACLMinimalUser(t *testing.T) {
	t.Run("one server", func(t *testing.T) {
		t.Parallel()
		srv := redistest.Start(t, redistest.WithUser(redistest.ACLUser{Name: aclName, Rules: aclSingle}))
		o, err := redis.ParseURL(srv.AdminURL())
		require.NoError(t, err)
		nodes := adminClients(t, o.Username, o.Password, srv.Addr())
		aclCheck(t, srv.URL(), nodes)
		aclWithoutGet(t, srv.URL(), nodes)
	})
	t.Run("Cluster", func(t *testing.T) {
		t.Parallel()
		c := redistest.StartCluster(t, redistest.ClusterOptions{User: &redistest.ACLUser{Name: aclName, Rules: aclCluster}})
		o, err := redis.ParseClusterURL(c.AdminURL())
		require.NoError(t, err)
		nodes := adminClients(t, o.Username, o.Password, c.Addrs()...)
		aclCheck(t, c.URL(), nodes)
		// A URL that names one node, which the store asks INFO at start-up.
		for _, n := range nodes {
			require.NoError(t, n.Do(bounded(t), "ACL", "SETUSER", aclName, "+info").Err())
		}
		one, _, _ := strings.Cut(c.URL(), "?")
		aclCheck(t, one, nodes)
		aclWithoutGet(t, c.URL(), nodes)
	})
	t.Run("Sentinel", func(t *testing.T) {
		t.Parallel()
		s := redistest.StartSentinel(t, redistest.SentinelOptions{User: &redistest.ACLUser{Name: aclName, Rules: aclSentinel}})
		o, err := redis.ParseFailoverURL(s.AdminURL())
		require.NoError(t, err)
		nodes := adminClients(t, o.Username, o.Password, s.Addrs()...)
		aclCheck(t, s.URL(), nodes)
		aclWithoutGet(t, s.URL(), nodes)
	})
}

// aclCheck runs a fleet on rawURL through everything the store does, and
// checks that Redis refused nothing.
func aclCheck(t *testing.T, rawURL string, nodes []*redis.Client) {
	t.Helper()
	d := startDeployment(t, rawURL, 4, nil)
	pings := pingCalls(t, nodes)
	d.shareN(t, 5)                                          // MGET, SET NX, SET, the release script (EVALSHA; EVAL once)
	assert.Zero(t, d.bursts(t, 2), "double introspections") // waits on another replica's lock
	tok, _, _ := d.share(t)
	_, err := d.forget(t, tok) // the marker, DEL, PUBLISH, and the invalidation received
	require.NoError(t, err)
	// The subscriptions' health check, a PING every 3 s when idle.
	require.Eventually(t, func() bool { return pingCalls(t, nodes) >= pings+len(d.rss) }, waitLimit, 50*time.Millisecond,
		"the subscriptions sent no PING")
	for _, n := range nodes {
		assert.Empty(t, aclLog(t, n), "%s refused the user", n.Options().Addr)
	}
	assert.Empty(t, d.logs.lines("NOPERM"), "go-redis or the store met a refusal")
	assert.Empty(t, d.logs.lines("failure="), "no store failure")
	assert.Zero(t, d.wrong.Load())
}

// aclWithoutGet takes +get from the user and checks that a new fleet logs
// the lock release's refusal as failure=permission, and answers right.
func aclWithoutGet(t *testing.T, rawURL string, nodes []*redis.Client) {
	t.Helper()
	for _, n := range nodes {
		require.NoError(t, n.Do(bounded(t), "ACL", "SETUSER", aclName, "-get").Err())
		require.NoError(t, n.Do(bounded(t), "ACL", "LOG", "RESET").Err())
	}
	d := startDeployment(t, rawURL, 2, nil)
	d.shareN(t, 1) // the value is shared; releasing the lock fails
	require.Eventually(t, func() bool {
		return len(d.logs.lines("oidcrs: shared_cache is failing", "failure=permission")) > 0
	}, waitLimit, 10*time.Millisecond, "the refused lock release is not logged as failure=permission")
	var refused []string
	for _, n := range nodes {
		refused = append(refused, aclLog(t, n)...)
	}
	assert.Contains(t, refused, "lua get", "Redis refused GET in the script")
	assert.Zero(t, d.wrong.Load())
}

// adminClients are plain clients, as user, on each of addrs, closed when
// the test ends.
func adminClients(t *testing.T, user, password string, addrs ...string) []*redis.Client {
	t.Helper()
	out := make([]*redis.Client, len(addrs))
	for i, a := range addrs {
		out[i] = redis.NewClient(&redis.Options{Addr: a, Username: user, Password: password})
		t.Cleanup(func() { _ = out[i].Close() })
	}
	return out
}

// pingCalls is how many PINGs nodes ran or refused, from INFO
// commandstats.
func pingCalls(t *testing.T, nodes []*redis.Client) int {
	t.Helper()
	total := 0
	for _, n := range nodes {
		info, err := n.Info(bounded(t), "commandstats").Result()
		require.NoError(t, err)
		for line := range strings.Lines(info) {
			stats, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_ping:")
			if !ok {
				continue
			}
			for field := range strings.SplitSeq(stats, ",") {
				name, v, _ := strings.Cut(field, "=")
				if name == "calls" || name == "rejected_calls" {
					n, err := strconv.Atoi(v)
					require.NoError(t, err)
					total += n
				}
			}
		}
	}
	return total
}

// aclLog is what n refused the ACL user, from ACL LOG: "context object"
// for each entry, such as "toplevel ping" or "lua get".
func aclLog(t *testing.T, n *redis.Client) []string {
	t.Helper()
	entries, err := n.Do(bounded(t), "ACL", "LOG").Slice()
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		f := map[string]string{}
		switch e := e.(type) {
		case []any: // RESP2
			for i := 0; i+1 < len(e); i += 2 {
				f[fmt.Sprint(e[i])] = fmt.Sprint(e[i+1])
			}
		case map[any]any: // RESP3
			for k, v := range e {
				f[fmt.Sprint(k)] = fmt.Sprint(v)
			}
		}
		if f["username"] == aclName {
			out = append(out, f["context"]+" "+f["object"])
		}
	}
	return out
}
