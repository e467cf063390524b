// Package redistest runs real Redis deployments for tests, on free
// loopback ports, with no persistence, stopped by pid when the test ends:
// one redis-server (Start), one over TLS with client certificates
// (StartTLS), a 3+3 Cluster (StartCluster) and Sentinel with 1 master,
// 1 replica and 3 sentinels (StartSentinel). Each can have an ACL user
// (WithUser, ClusterOptions.User, SentinelOptions.User), and Start
// and StartTLS take configuration lines of the test's own (WithConfig),
// such as a unix socket. Servers can be killed, restarted, paused and
// resumed to test failures.
//
// Without the binaries a harness skips the test locally with one line,
// and fails it when CI is "true". It is internal: for this repository's
// tests only, never linked into a program.
package redistest

import (
	"crypto/tls"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// Wide, for a busy machine: each only bounds a server that is stuck.
	readyTimeout = 60 * time.Second // until PING answers
	cmdTimeout   = 5 * time.Second  // one command, dial to reply
	stopGrace    = 10 * time.Second // SIGTERM to SIGKILL
	pollEvery    = 50 * time.Millisecond
)

// Server is a redis-server (or sentinel) process started by a harness.
type Server struct {
	bin, dir string
	args     []string // after the configuration file, e.g. "--sentinel"
	extra    []string // configuration lines beyond ports, bind and dir
	bus      bool     // a Cluster node: also needs a cluster bus port
	tls      *tlsSetup
	user     *ACLUser // the URL's user; nil: the default user
	admin    *ACLUser // the harness's own user when the default one is off

	port, busPort int

	mu   sync.Mutex
	proc *process // nil once killed
}

// process is one run of redis-server; exited closes once it was reaped.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// Option changes what Start and StartTLS run.
type Option func(*options)

type options struct {
	user  *ACLUser
	extra []string
}

// WithUser creates u on the server and switches the default user off, so
// that every connection must authenticate; URL then carries u's name and
// password.
func WithUser(u ACLUser) Option { return func(o *options) { o.user = &u } }

// WithConfig adds lines to the server's configuration file, after the
// harness's own (port, bind, dir, no persistence, TLS, ACL), for example
// "unixsocket /path/redis.sock" to listen on a unix socket as well. A
// line the server refuses makes Start fail the test.
func WithConfig(lines ...string) Option {
	return func(o *options) { o.extra = append(o.extra, lines...) }
}

// Start runs redis-server on a free loopback port and stops it when the
// test ends. Without redis-server on the PATH it skips the test, or fails
// it when CI is "true".
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := newServer(t, need(t, "redis-server", "redis-server"), opts...)
	if err := s.launch(); err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return s
}

// newServer prepares a Server in a fresh directory, to be stopped when the
// test ends; launch starts it.
func newServer(t testing.TB, bin string, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{bin: bin, dir: t.TempDir(), extra: o.extra}
	if o.user != nil {
		s.user, s.admin = o.user.complete(t), newAdmin(t)
	}
	t.Cleanup(s.stop) // runs before TempDir's own cleanup removes the directory
	return s
}

// need returns the path of the binary name, or skips the test (fails it
// under CI=true) naming the Debian package that provides it.
func need(t testing.TB, name, pkg string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, name+" not found on PATH (install it with apt-get install "+pkg+")")
	}
	return bin
}

// skipOrFail skips the test for want of something the machine lacks, or
// fails it when CI is "true", where everything must be installed.
func skipOrFail(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true", why)
	}
	t.Skipf("%s: skipping (CI=true fails instead)", why)
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's URL, database 0: rediss:// over TLS, else redis://,
// with the ACL user's name and password when the server has one.
func (s *Server) URL() string { return s.url(s.user) }

// AdminURL is like URL, but for a user allowed every command and key: the
// harness's own user when the server has an ACL user, else the default.
func (s *Server) AdminURL() string { return s.url(s.admin) }

func (s *Server) url(u *ACLUser) string {
	v := url.URL{Scheme: "redis", Host: s.Addr(), Path: "/0"}
	if s.tls != nil {
		v.Scheme = "rediss"
	}
	if u != nil {
		v.User = url.UserPassword(u.Name, u.Password)
	}
	return v.String()
}

// Kill ends the server with SIGKILL and waits for it.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		_ = s.proc.cmd.Process.Kill()
		<-s.proc.exited
		s.proc = nil
	}
}

// Restart kills the server if it runs, then starts it again on the same
// port, with the same configuration, and waits until it answers PING.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Kill()
	if err := s.run(); err != nil {
		t.Fatalf("redistest: restart: %v", err)
	}
}

// Pause stops the server with SIGSTOP: it accepts connections (the kernel
// does) but answers nothing until Resume.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() { s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig os.Signal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.proc != nil {
		_ = s.proc.cmd.Process.Signal(sig)
	}
}

// alive reports whether the server's process runs (it may be paused).
func (s *Server) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc != nil
}

// do runs one command as the harness's user, on a connection of its own.
func (s *Server) do(args ...string) (v any, err error) {
	err = s.session(func(c *conn) error {
		v, err = c.do(args...)
		return err
	})
	return v, err
}

// session runs f on one connection, authenticated as the harness's user.
func (s *Server) session(f func(c *conn) error) error {
	var tc *tls.Config
	if s.tls != nil {
		tc = s.tls.client
	}
	var name, pass string
	if s.admin != nil {
		name, pass = s.admin.Name, s.admin.Password
	}
	c, err := dial(s.Addr(), tc, name, pass)
	if err != nil {
		return err
	}
	defer c.close()
	return f(c)
}
