//go:build unix

package examples_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Generous bounds: machines are shared and slow under the race detector.
// They only stop a hung test.
const (
	buildTimeout = 15 * time.Minute
	readyTimeout = 2 * time.Minute
	stopTimeout  = 30 * time.Second
)

// built is the one build of the examples that every test shares: go build
// links each binary anew, and seven race-enabled binaries per test made
// this package the slowest of the repository.
var built struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildExamples builds the examples (and the gRPC example's client,
// whoami) into a temporary directory with one go build, once for all the
// tests, and returns the directory.
func buildExamples(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "oidcrs-examples-"); built.err != nil {
			return
		}
		args := []string{"build", "-o", built.dir + string(filepath.Separator)}
		if raceEnabled {
			args = append(args, "-race")
		}
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", append(args, "./gin", "./echo", "./echov5", "./chi", "./grpc", "./grpc/whoami", "./mcp")...)
		built.out, built.err = cmd.CombinedOutput()
	})
	require.NoError(t, built.err, "go build: %s", built.out)
	return built.dir
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// proc is a running example.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line; closed at EOF
	mu     sync.Mutex
	stdout []string
	stderr bytes.Buffer
	done   chan struct{}
	err    error // Wait's result, after done
}

// start runs bin with env (and no inherited OIDC_*, LOG_*, METRICS or
// ADDR variable); the process is killed when the test ends if it is still
// running.
func start(t *testing.T, bin string, env map[string]string) *proc {
	t.Helper()
	cmd := exec.Command(bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OIDC_") && !strings.HasPrefix(kv, "ADDR=") &&
			!strings.HasPrefix(kv, "LOG_") && !strings.HasPrefix(kv, "METRICS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 1024), done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{mu: &p.mu, w: &p.stderr}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.stdout = append(p.stdout, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody waits for more: the lines are kept in stdout
			}
		}
		close(p.lines)
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", filepath.Base(bin), strings.Join(p.output(), "\n"), p.errors())
		}
	})
	return p
}

// waitFor reads stdout until a line starts with prefix and returns every
// line read so far.
func (p *proc) waitFor(t *testing.T, prefix string) []string {
	t.Helper()
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("the example exited before printing %q:\n%s", prefix, p.errors())
			}
			if strings.HasPrefix(line, prefix) {
				return p.output()
			}
		case <-timer.C:
			t.Fatalf("the example did not print %q within %s", prefix, readyTimeout)
		}
	}
}

// stop sends SIGTERM and requires a clean exit.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		t.Fatalf("the example did not stop within %s of SIGTERM", stopTimeout)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		t.Fatalf("the example exited with %v:\n%s", exit, p.errors())
	}
	require.NoError(t, p.err)
	require.Contains(t, p.output(), "Stopped")
}

func (p *proc) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.stdout...)
}

func (p *proc) errors() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
