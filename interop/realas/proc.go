// Package realas starts real authorization servers for the interop tests,
// as package asproc does for node oidc-provider: ORY Hydra v2.3.0 (a
// binary built once by scripts/interop-hydra.sh and kept in the user cache
// directory) and a zitadel/oidc v3.52.0 OpenID provider (the small program
// in interop/zitadel, built by the tests). Each listens on 127.0.0.1 only
// and is killed by its process id when the test ends.
//
// It also drives them as a client would: client_credentials, a headless
// authorization-code flow (for refresh and ID tokens), and revocation.
package realas

import (
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/oidcrs/oidcrs/interop/internal/tail"
)

// proc is a running child process whose output is kept in a bounded buffer.
type proc struct {
	cmd   *exec.Cmd
	stdin io.Closer
	logs  *tail.Buffer
	done  chan struct{}
	once  sync.Once
}

// start runs cmd in its own process group, with stdout and stderr kept in
// logs unless already set. A stdin pipe is kept open: a child that exits at
// EOF on stdin then dies with the test binary.
func start(cmd *exec.Cmd, logs *tail.Buffer) (*proc, error) {
	if cmd.Stdout == nil {
		cmd.Stdout = logs
	}
	if cmd.Stderr == nil {
		cmd.Stderr = logs
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, stdin: stdin, logs: logs, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop kills the process group by the child's pid and waits for the child.
func (p *proc) stop() {
	p.once.Do(func() {
		_ = p.stdin.Close()
		select {
		case <-p.done:
			return
		default:
		}
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		_ = p.cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
		}
	})
}
