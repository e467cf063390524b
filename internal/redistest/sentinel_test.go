package redistest

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSentinelKillMaster kills the master of a deployment with an ACL
// user and waits for the sentinels to promote the replica, with its data.
func TestSentinelKillMaster(t *testing.T) {
	t.Parallel()
	start := time.Now()
	d := StartSentinel(t, SentinelOptions{User: &ACLUser{
		Name: "oidcrs", Rules: []string{"~oidcrs:*", "+get", "+set"},
	}})
	t.Logf("sentinel deployment ready in %v", time.Since(start).Round(10*time.Millisecond))

	u, err := url.Parse(d.URL())
	require.NoError(t, err)
	assert.Equal(t, d.Sentinels()[0], u.Host)
	assert.Nil(t, u.User, "the sentinels need no credentials")
	q := u.Query()
	assert.Equal(t, "oidcrs", q.Get("master_name"))
	assert.Equal(t, d.Sentinels()[1:], q["addr"])
	assert.Equal(t, "oidcrs", q.Get("username"))
	require.NotEmpty(t, q.Get("password"))
	admin, err := url.Parse(d.AdminURL())
	require.NoError(t, err)
	assert.Equal(t, adminName, admin.Query().Get("username"))

	old := d.Master(t)
	require.Equal(t, d.Addrs()[0], old)
	user := func(addr string) *conn {
		c, err := dial(addr, nil, q.Get("username"), q.Get("password"))
		require.NoError(t, err)
		t.Cleanup(c.close)
		return c
	}
	_, err = user(old).do("SET", "oidcrs:k", "v")
	require.NoError(t, err)
	_, err = user(old).do("SET", "other:k", "v")
	require.ErrorContains(t, err, "NOPERM")
	acked, err := d.Node(old).do("WAIT", "1", "60000")
	require.NoError(t, err)
	require.Equal(t, int64(1), acked, "the replica has the key before the kill")

	killed := d.KillMaster(t)
	require.Equal(t, old, killed)
	promoted, took := d.WaitNewMaster(t, killed)
	t.Logf("new master %v after kill -9 (down-after 2s)", took.Round(10*time.Millisecond))
	assert.Equal(t, d.Addrs()[1], promoted)
	assert.Equal(t, promoted, d.Master(t))
	v, err := text(user(promoted).do("GET", "oidcrs:k"))
	require.NoError(t, err)
	assert.Equal(t, "v", v)
}

// TestSentinelFailover has a sentinel fail a healthy master over, with
// options other than the defaults, run by a redis-sentinel binary (a link
// to redis-server, as Debian's package installs, when none is on the PATH).
func TestSentinelFailover(t *testing.T) {
	if bin, err := exec.LookPath("redis-server"); err == nil {
		if _, err := exec.LookPath("redis-sentinel"); err != nil {
			dir := t.TempDir()
			require.NoError(t, os.Symlink(bin, filepath.Join(dir, "redis-sentinel")))
			t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		}
	}
	d := StartSentinel(t, SentinelOptions{MasterName: "other", DownAfter: 3 * time.Second, FailoverTimeout: 7 * time.Second})
	for _, addr := range d.Sentinels() {
		assert.Equal(t, "redis-sentinel", filepath.Base(d.Node(addr).bin))
		v, err := d.Node(addr).do("SENTINEL", "MASTER", "other")
		require.NoError(t, err)
		m := fields(v)
		assert.Equal(t, "3000", m["down-after-milliseconds"])
		assert.Equal(t, "7000", m["failover-timeout"])
	}
	u, err := url.Parse(d.URL())
	require.NoError(t, err)
	assert.Equal(t, "other", u.Query().Get("master_name"))
	assert.False(t, u.Query().Has("username"))
	assert.Equal(t, d.URL(), d.AdminURL())

	old := d.Failover(t)
	require.Equal(t, d.Addrs()[0], old)
	promoted, took := d.WaitNewMaster(t, old)
	t.Logf("new master %v after SENTINEL FAILOVER", took.Round(10*time.Millisecond))
	assert.Equal(t, d.Addrs()[1], promoted)
}
