// Package redistest runs a real redis-server for tests: one process per
// Start, on a free loopback port, with no persistence, stopped when the
// test ends. It can kill, restart, pause and resume that server to test
// failures. It is internal: for this module's tests only, never linked
// into a program.
package redistest

import (
	"net"
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
	pingTimeout  = 5 * time.Second  // one PING, dial to reply
	stopGrace    = 10 * time.Second // SIGTERM to SIGKILL
)

// Server is a redis-server process started by Start.
type Server struct {
	bin, dir string
	port     int

	mu   sync.Mutex
	proc *process // nil once killed
}

// process is one run of redis-server; exited closes once it was reaped.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs redis-server on a free loopback port and stops it when the
// test ends. Without redis-server on the PATH it skips the test, or fails
// it when CI is "true".
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis-server not found on PATH (CI=true): install it with apt-get install redis-server")
		}
		t.Skip("redis-server not found on PATH: skipping (install it with apt-get install redis-server; CI=true fails instead)")
	}
	s := &Server{bin: bin, dir: t.TempDir()}
	t.Cleanup(s.stop)
	var lastErr error
	for range 3 { // another process may take the port between pick and bind
		if s.port, err = freePort(); err != nil {
			t.Fatalf("redistest: %v", err)
		}
		if lastErr = s.run(); lastErr == nil {
			return s
		}
	}
	t.Fatalf("redistest: %v", lastErr)
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the server's redis:// URL, database 0.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

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
// port, with the same arguments, and waits until it answers PING.
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
