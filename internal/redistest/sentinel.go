package redistest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// sentinelTimeout bounds start-up, or one failover, on a busy machine.
const sentinelTimeout = 2 * time.Minute

// SentinelOptions change what StartSentinel runs.
type SentinelOptions struct {
	// MasterName is the name the sentinels monitor the master under.
	// Default value: "oidcrs".
	MasterName string
	// DownAfter is down-after-milliseconds: how long the master may not
	// answer before a sentinel deems it down. Default value: 2 s.
	DownAfter time.Duration
	// FailoverTimeout is failover-timeout; a sentinel also waits twice
	// this before it fails the same master over again. Default value: 5 s.
	FailoverTimeout time.Duration
	// User, when set, is created on the master and the replica (not on
	// the sentinels), and their default user is switched off; URL then
	// carries its name and password. Default value: nil, the default user
	// with every right.
	User *ACLUser
}

// Sentinel is a master, its replica and 3 sentinels that monitor them,
// started by StartSentinel.
type Sentinel struct {
	name        string
	data        []*Server // the master and the replica, as they started
	sentinels   []*Server
	user, admin *ACLUser

	mu        sync.Mutex
	changedAt time.Time // the last KillMaster or Failover
}

// StartSentinel runs a redis-server master and one replica, and 3
// sentinels with quorum 2, on free loopback ports, and waits until every
// sentinel sees the replica and the 2 other sentinels. It stops every
// process when the test ends. A sentinel runs redis-sentinel when it is
// on the PATH, else redis-server --sentinel. Without redis-server it skips
// the test, or fails it when CI is "true".
func StartSentinel(t testing.TB, opts SentinelOptions) *Sentinel {
	t.Helper()
	bin := need(t, "redis-server", "redis-server")
	sbin, sargs := bin, []string{"--sentinel"}
	if p, err := exec.LookPath("redis-sentinel"); err == nil {
		sbin, sargs = p, nil
	}
	if opts.MasterName == "" {
		opts.MasterName = "oidcrs"
	}
	if opts.DownAfter <= 0 {
		opts.DownAfter = 2 * time.Second
	}
	if opts.FailoverTimeout <= 0 {
		opts.FailoverTimeout = 5 * time.Second
	}
	d := &Sentinel{name: opts.MasterName}
	if opts.User != nil {
		d.user, d.admin = opts.User.complete(t), newAdmin(t)
	}

	master := d.startData(t, bin, nil)
	replica := d.startData(t, bin, []string{"replicaof 127.0.0.1 " + strconv.Itoa(master.port)})
	waitFor(t, "replica attached", sentinelTimeout, func() error { return linkUp(replica) })

	name := quote(opts.MasterName)
	conf := []string{
		fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", name, master.port),
		fmt.Sprintf("sentinel down-after-milliseconds %s %d", name, opts.DownAfter.Milliseconds()),
		fmt.Sprintf("sentinel failover-timeout %s %d", name, opts.FailoverTimeout.Milliseconds()),
		fmt.Sprintf("sentinel parallel-syncs %s 1", name),
	}
	if d.admin != nil {
		conf = append(conf,
			fmt.Sprintf("sentinel auth-user %s %s", name, quote(d.admin.Name)),
			fmt.Sprintf("sentinel auth-pass %s %s", name, quote(d.admin.Password)))
	}
	for range 3 {
		s := newServer(t, sbin)
		s.args, s.extra = sargs, conf
		if err := s.launch(); err != nil {
			t.Fatalf("redistest: sentinel: %v", err)
		}
		d.sentinels = append(d.sentinels, s)
	}
	waitFor(t, "sentinels ready", sentinelTimeout, d.ready)
	return d
}

// startData starts the master or the replica.
func (d *Sentinel) startData(t testing.TB, bin string, extra []string) *Server {
	t.Helper()
	s := newServer(t, bin)
	s.user, s.admin = d.user, d.admin
	s.extra = append([]string{"repl-diskless-sync-delay 0"}, extra...) // the default waits 5 s
	if err := s.launch(); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	d.data = append(d.data, s)
	return s
}

// linkUp checks that s is a replica whose link to its master is up.
func linkUp(s *Server) error {
	info, err := text(s.do("INFO", "replication"))
	if err != nil {
		return fmt.Errorf("%s: %w", s.Addr(), err)
	}
	if infoField(info, "role") != "slave" || infoField(info, "master_link_status") != "up" {
		return fmt.Errorf("%s: role:%s master_link_status:%s", s.Addr(), infoField(info, "role"), infoField(info, "master_link_status"))
	}
	return nil
}

// ready checks that each sentinel sees the master as up, its replica
// attached, the 2 other sentinels, and a quorum.
func (d *Sentinel) ready() error {
	for _, s := range d.sentinels {
		err := s.session(func(c *conn) error {
			v, err := c.do("SENTINEL", "MASTER", d.name)
			if err != nil {
				return err
			}
			m := fields(v)
			if m["flags"] != "master" || m["num-slaves"] == "0" || m["num-other-sentinels"] != "2" {
				return fmt.Errorf("master flags=%s num-slaves=%s num-other-sentinels=%s", m["flags"], m["num-slaves"], m["num-other-sentinels"])
			}
			v, err = c.do("SENTINEL", "REPLICAS", d.name)
			if err != nil {
				return err
			}
			replicas, _ := v.([]any)
			for _, r := range replicas {
				if f := fields(r); f["flags"] != "slave" || f["master-link-status"] != "ok" {
					return fmt.Errorf("replica %s:%s flags=%s master-link-status=%s", f["ip"], f["port"], f["flags"], f["master-link-status"])
				}
			}
			_, err = c.do("SENTINEL", "CKQUORUM", d.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("sentinel %s: %w", s.Addr(), err)
		}
	}
	return nil
}

// MasterName is the name the sentinels monitor the master under.
func (d *Sentinel) MasterName() string { return d.name }

// Sentinels are the sentinels' host:port.
func (d *Sentinel) Sentinels() []string { return addrs(d.sentinels) }

// Addrs are the host:port of the master and the replica, as they started.
func (d *Sentinel) Addrs() []string { return addrs(d.data) }

func addrs(servers []*Server) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.Addr()
	}
	return out
}

// Node is the master, replica or sentinel at addr, to kill, pause or
// restart it; nil if none.
func (d *Sentinel) Node(addr string) *Server {
	for _, s := range append(append([]*Server(nil), d.data...), d.sentinels...) {
		if s.Addr() == addr {
			return s
		}
	}
	return nil
}

// URL is the deployment in go-redis's failover form, naming every
// sentinel: redis://127.0.0.1:s1?master_name=oidcrs&addr=127.0.0.1:s2&addr=...
// When there is an ACL user, its name and password are the username and
// password parameters (the sentinels themselves need none).
func (d *Sentinel) URL() string { return d.url(d.user) }

// AdminURL is like URL, but for a user allowed every command and key on
// the master and the replica.
func (d *Sentinel) AdminURL() string { return d.url(d.admin) }

func (d *Sentinel) url(u *ACLUser) string {
	s := d.Sentinels()
	q := "master_name=" + url.QueryEscape(d.name) + "&addr=" + strings.Join(s[1:], "&addr=")
	if u != nil {
		q += "&username=" + url.QueryEscape(u.Name) + "&password=" + url.QueryEscape(u.Password)
	}
	return (&url.URL{Scheme: "redis", Host: s[0], RawQuery: q}).String()
}

// masterAddr asks one sentinel where the master is.
func (d *Sentinel) masterAddr(s *Server) (string, error) {
	v, err := s.do("SENTINEL", "GET-MASTER-ADDR-BY-NAME", d.name)
	if err != nil {
		return "", fmt.Errorf("sentinel %s: %w", s.Addr(), err)
	}
	a, _ := v.([]any)
	if len(a) != 2 {
		return "", fmt.Errorf("sentinel %s: GET-MASTER-ADDR-BY-NAME answered %v", s.Addr(), v)
	}
	host, _ := a[0].(string)
	port, _ := a[1].(string)
	return net.JoinHostPort(host, port), nil
}

// Master is the master's address, as the first running sentinel says.
func (d *Sentinel) Master(t testing.TB) string {
	t.Helper()
	err := errors.New("no sentinel runs")
	for _, s := range d.sentinels {
		if s.alive() {
			var addr string
			if addr, err = d.masterAddr(s); err == nil {
				return addr
			}
		}
	}
	t.Fatalf("redistest: %v", err)
	return ""
}
