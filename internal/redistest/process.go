package redistest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// launch picks free ports, writes the configuration file and starts the
// server, trying again when another process took a port between pick and
// bind.
func (s *Server) launch() error {
	var err error
	for range 3 {
		if s.port, err = freePort(); err != nil {
			return err
		}
		if s.bus {
			if s.busPort, err = freePort(); err != nil {
				return err
			}
			if s.busPort == s.port {
				err = errors.New("picked the same free port twice")
				continue
			}
		}
		if err = s.writeConf(); err != nil {
			return err
		}
		if err = s.run(); err == nil || errors.Is(err, errNoTLS) {
			return err
		}
	}
	return err
}

// confPath is the server's configuration file; Sentinel rewrites it.
func (s *Server) confPath() string { return filepath.Join(s.dir, "redis.conf") }

// writeConf writes the configuration for the ports picked by launch.
func (s *Server) writeConf() error {
	lines := []string{
		"bind 127.0.0.1",
		"protected-mode yes",
		"dir " + quote(s.dir),
		`save ""`,
		"appendonly no",
	}
	if s.tls != nil {
		lines = append(lines, "port 0", "tls-port "+strconv.Itoa(s.port))
		lines = append(lines, s.tls.serverConf()...)
	} else {
		lines = append(lines, "port "+strconv.Itoa(s.port))
	}
	if s.bus {
		lines = append(lines, "cluster-port "+strconv.Itoa(s.busPort))
	}
	lines = append(lines, aclConf(s.user, s.admin)...)
	lines = append(lines, s.extra...)
	return os.WriteFile(s.confPath(), []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

// quote writes v as one double-quoted configuration argument.
func quote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(v) + `"`
}

// run starts the server from its configuration file and waits until it
// answers PING.
func (s *Server) run() error {
	logf, err := os.OpenFile(filepath.Join(s.dir, "redis.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(s.bin, append([]string{s.confPath()}, s.args...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	s.mu.Lock()
	s.proc = p
	s.mu.Unlock()

	deadline := time.Now().Add(readyTimeout)
	for {
		err := s.ping()
		if err == nil {
			return nil
		}
		if s.tls != nil && plainPing(s.Addr()) == nil {
			s.Kill()
			return errNoTLS
		}
		select {
		case <-p.exited:
			s.mu.Lock()
			s.proc = nil
			s.mu.Unlock()
			if s.tls != nil && strings.Contains(s.logTail(), "Bad directive") && strings.Contains(s.logTail(), "tls") {
				return errNoTLS
			}
			return fmt.Errorf("%s on port %d exited: %s", filepath.Base(s.bin), s.port, s.logTail())
		case <-time.After(pollEvery):
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("%s on port %d did not answer PING within %v (last: %v): %s",
				filepath.Base(s.bin), s.port, readyTimeout, err, s.logTail())
		}
	}
}

// stop ends the server: SIGTERM, SIGKILL after stopGrace.
func (s *Server) stop() {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Process.Signal(syscall.SIGCONT) // a paused server must run to exit
	select {
	case <-p.exited:
	case <-time.After(stopGrace):
		s.Kill()
	}
	s.mu.Lock()
	s.proc = nil
	s.mu.Unlock()
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// ping sends PING as the harness's user and wants PONG.
func (s *Server) ping() error {
	v, err := text(s.do("PING"))
	if err != nil {
		return err
	}
	if v != "PONG" {
		return fmt.Errorf("unexpected PING reply %q", v)
	}
	return nil
}

// plainPing sends PING over plain TCP, without AUTH.
func plainPing(addr string) error {
	c, err := dial(addr, nil, "", "")
	if err != nil {
		return err
	}
	defer c.close()
	v, err := text(c.do("PING"))
	if err == nil && v != "PONG" {
		err = fmt.Errorf("unexpected PING reply %q", v)
	}
	return err
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
