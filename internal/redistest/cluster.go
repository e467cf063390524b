package redistest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	clusterNodes   = 6
	clusterTimeout = 3 * time.Minute // creation, or one failover, on a busy machine
)

// ClusterOptions change what StartCluster runs.
type ClusterOptions struct {
	// NodeTimeout is cluster-node-timeout: how long a master may be
	// unreachable before its replica replaces it. Default value: 3 s.
	NodeTimeout time.Duration
	// User, when set, is created on every node, and the default user is
	// switched off; URL then carries its name and password. Default
	// value: nil, the default user with every right.
	User *ACLUser
}

// Cluster is a Redis Cluster of 3 masters, each with one replica, started
// by StartCluster.
type Cluster struct {
	nodes       []*Server
	user, admin *ACLUser

	mu       sync.Mutex
	killedAt map[string]time.Time
}

// StartCluster runs 6 redis-server nodes with cluster-enabled yes on free
// loopback ports, joins them with redis-cli --cluster create as 3 masters
// and 3 replicas, and waits until every node reports cluster_state:ok and
// sees every replica attached. It stops every node when the test ends.
// Without redis-server or redis-cli on the PATH it skips the test, or
// fails it when CI is "true".
func StartCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	bin := need(t, "redis-server", "redis-server")
	cli := need(t, "redis-cli", "redis-tools")
	if opts.NodeTimeout <= 0 {
		opts.NodeTimeout = 3 * time.Second
	}
	c := &Cluster{killedAt: map[string]time.Time{}}
	if opts.User != nil {
		c.user, c.admin = opts.User.complete(t), newAdmin(t)
	}
	for range clusterNodes {
		s := newServer(t, bin)
		s.user, s.admin, s.bus = c.user, c.admin, true
		s.extra = []string{
			"cluster-enabled yes",
			"cluster-config-file nodes.conf",
			"cluster-node-timeout " + strconv.FormatInt(opts.NodeTimeout.Milliseconds(), 10),
			"repl-diskless-sync-delay 0", // the default waits 5 s for more replicas
		}
		if err := s.launch(); err != nil {
			t.Fatalf("redistest: cluster node: %v", err)
		}
		c.nodes = append(c.nodes, s)
	}
	c.create(t, cli)
	waitFor(t, "cluster ready", clusterTimeout, c.ready)
	return c
}

// create runs redis-cli --cluster create over every node.
func (c *Cluster) create(t testing.TB, cli string) {
	t.Helper()
	args := []string{"--cluster", "create"}
	args = append(args, c.Addrs()...)
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	env := os.Environ()
	if c.admin != nil {
		args = append(args, "--user", c.admin.Name)
		env = append(env, "REDISCLI_AUTH="+c.admin.Password) // never on the command line
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Env = env
	cmd.SysProcAttr = sysProcAttr()
	if out, err := cmd.CombinedOutput(); err != nil {
		if len(out) > 3000 {
			out = out[len(out)-3000:]
		}
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
}

// ready checks every node: every slot served, 6 healthy nodes, one
// replica per master, and each replica's link to its master up.
func (c *Cluster) ready() error {
	for _, s := range c.nodes {
		v, err := view(s)
		if err != nil {
			return err
		}
		if err := v.complete(clusterNodes); err != nil {
			return err
		}
		info, err := text(s.do("INFO", "replication"))
		if err != nil {
			return fmt.Errorf("%s: %w", s.Addr(), err)
		}
		if infoField(info, "role") == "slave" && infoField(info, "master_link_status") != "up" {
			return fmt.Errorf("%s: replica's master_link_status:%s", s.Addr(), infoField(info, "master_link_status"))
		}
	}
	return nil
}

// Addrs are the host:port of every node, masters and replicas, in the
// order they started.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, s := range c.nodes {
		out[i] = s.Addr()
	}
	return out
}

// Node is the node at addr, to kill, pause or restart it; nil if none.
func (c *Cluster) Node(addr string) *Server {
	for _, s := range c.nodes {
		if s.Addr() == addr {
			return s
		}
	}
	return nil
}

// URL is the cluster in go-redis's cluster form, naming every node:
// redis://127.0.0.1:p1?addr=127.0.0.1:p2&addr=..., with the ACL user's
// name and password when the cluster has one.
func (c *Cluster) URL() string { return c.url(c.user) }

// AdminURL is like URL, but for a user allowed every command and key.
func (c *Cluster) AdminURL() string { return c.url(c.admin) }

func (c *Cluster) url(u *ACLUser) string {
	addrs := c.Addrs()
	v := url.URL{Scheme: "redis", Host: addrs[0], RawQuery: "addr=" + strings.Join(addrs[1:], "&addr=")}
	if u != nil {
		v.User = url.UserPassword(u.Name, u.Password)
	}
	return v.String()
}

// liveView is the cluster as the first running node sees it.
func (c *Cluster) liveView() (clusterView, error) {
	var err error
	for _, s := range c.nodes {
		if !s.alive() {
			continue
		}
		var v clusterView
		if v, err = view(s); err == nil {
			return v, nil
		}
	}
	return clusterView{}, fmt.Errorf("no running node answers: %v", err)
}

// Masters are the addresses of the masters that serve slots now, sorted.
func (c *Cluster) Masters(t testing.TB) []string {
	t.Helper()
	v, err := c.liveView()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return v.masters()
}

// MasterFor is the address of the master that serves key's slot now
// (CLUSTER KEYSLOT, then CLUSTER NODES).
func (c *Cluster) MasterFor(t testing.TB, key string) string {
	t.Helper()
	v, err := c.liveView()
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	slot, err := c.Node(v.from).do("CLUSTER", "KEYSLOT", key)
	if err != nil {
		t.Fatalf("redistest: CLUSTER KEYSLOT: %v", err)
	}
	n, ok := slot.(int64)
	if !ok {
		t.Fatalf("redistest: CLUSTER KEYSLOT answered %v", slot)
	}
	addr, err := v.owner(int(n))
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return addr
}

// KillMaster ends the master at addr with SIGKILL, as kill -9 would, and
// notes the time for WaitFailover. It fails the test if addr is not a
// running master that serves slots.
func (c *Cluster) KillMaster(t testing.TB, addr string) {
	t.Helper()
	s := c.Node(addr)
	if s == nil || !s.alive() {
		t.Fatalf("redistest: KillMaster(%s): no running node there", addr)
	}
	v, err := view(s)
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	for _, n := range v.nodes {
		if n.has("myself") && (!n.has("master") || len(n.slots) == 0) {
			t.Fatalf("redistest: KillMaster(%s): the node is %s, serving %d slot ranges", addr, strings.Join(n.flags, ","), len(n.slots))
		}
	}
	c.mu.Lock()
	c.killedAt[addr] = time.Now()
	c.mu.Unlock()
	s.Kill()
}

// WaitFailover waits until a replica replaced the master killed at
// killedAddr: every running node reports cluster_state:ok and has every
// slot served by a running master. It returns the time since KillMaster
// (since the call, for a node stopped otherwise), and fails the test if
// that takes over 3 minutes.
func (c *Cluster) WaitFailover(t testing.TB, killedAddr string) time.Duration {
	t.Helper()
	c.mu.Lock()
	start, ok := c.killedAt[killedAddr]
	c.mu.Unlock()
	if !ok {
		start = time.Now()
	}
	waitFor(t, "failover of "+killedAddr, clusterTimeout, func() error {
		var gone []string
		for _, s := range c.nodes {
			if !s.alive() {
				gone = append(gone, s.Addr())
			}
		}
		for _, s := range c.nodes {
			if !s.alive() {
				continue
			}
			v, err := view(s)
			if err != nil {
				return err
			}
			if err := v.serving(gone...); err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(start)
}
