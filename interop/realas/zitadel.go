package realas

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/oidcrs/oidcrs/interop/internal/tail"
)

// ZitadelClient is one client of the zitadel/oidc provider (see
// interop/zitadel/client.go).
type ZitadelClient struct {
	ID              string   `json:"id"`
	Secret          string   `json:"secret"`
	GrantTypes      []string `json:"grantTypes"`
	AccessTokenType string   `json:"accessTokenType"` // "jwt" or "opaque"
	Audience        []string `json:"audience,omitempty"`
	TTLSeconds      int      `json:"ttlSeconds,omitempty"`
	RedirectURIs    []string `json:"redirectURIs,omitempty"`
}

// Zitadel is a running interop/zitadel provider.
type Zitadel struct {
	Endpoints
	p *proc
}

// zitadelDir is interop/zitadel, beside this package's source.
func zitadelDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", fmt.Errorf("realas: cannot locate interop/zitadel from the source path")
	}
	return filepath.Join(filepath.Dir(file), "..", "zitadel"), nil
}

var zitadelBuild struct {
	once sync.Once
	bin  string
	err  error
}

// ZitadelBinary builds interop/zitadel (its own module, outside go.work)
// once per source version into the user cache directory, and returns the
// binary's path.
func ZitadelBinary() (string, error) {
	zitadelBuild.once.Do(func() { zitadelBuild.bin, zitadelBuild.err = buildZitadel() })
	return zitadelBuild.bin, zitadelBuild.err
}

func buildZitadel() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is not on PATH")
	}
	dir, err := zitadelDir()
	if err != nil {
		return "", err
	}
	sum := sha256.New()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	files = append(files, filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.sum"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(sum, "%s %d\n", filepath.Base(f), len(b))
		sum.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "oidcrs-interop", "zitadel-op-"+hex.EncodeToString(sum.Sum(nil))[:16], "zitadel-op")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
	cmd := exec.Command(goBin, "build", "-o", tmp, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("building interop/zitadel: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	// Builds of older sources are of no more use.
	old, _ := filepath.Glob(filepath.Join(cache, "oidcrs-interop", "zitadel-op-*"))
	for _, d := range old {
		if d != filepath.Dir(bin) {
			_ = os.RemoveAll(d)
		}
	}
	return bin, nil
}

// StartZitadel builds (once) and starts the provider with clients, and
// waits for its READY line and discovery document.
func StartZitadel(ctx context.Context, clients []ZitadelClient) (*Zitadel, error) {
	bin, err := ZitadelBinary()
	if err != nil {
		return nil, err
	}
	cfg, err := os.CreateTemp("", "oidcrs-zitadel-*.json") // 0600: holds secrets
	if err != nil {
		return nil, err
	}
	defer os.Remove(cfg.Name()) // read before READY
	if err := json.NewEncoder(cfg).Encode(map[string]any{"clients": clients}); err != nil {
		cfg.Close()
		return nil, err
	}
	if err := cfg.Close(); err != nil {
		return nil, err
	}
	out, w := io.Pipe()
	cmd := exec.Command(bin, cfg.Name())
	cmd.Stdout = w
	logs := tail.New(64 << 10)
	z := &Zitadel{}
	if z.p, err = start(cmd, logs); err != nil {
		return nil, err
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			ready <- sc.Text()
		}
		close(ready)
		_, _ = io.Copy(logs, out)
	}()
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var line string
	select {
	case line = <-ready:
	case <-z.p.done:
	case <-ctx.Done():
	}
	issuer, ok := strings.CutPrefix(line, "READY ")
	if !ok {
		z.Close()
		return nil, fmt.Errorf("realas: zitadel-op did not start; output:\n%s", logs)
	}
	z.Endpoints = Endpoints{
		Issuer:        issuer,
		Token:         issuer + "/oauth/token",
		Authorization: issuer + "/authorize",
		Introspection: issuer + "/oauth/introspect",
		Revocation:    issuer + "/revoke",
		JWKS:          issuer + "/keys",
	}
	if err := waitReady(ctx, z.p, issuer+"/.well-known/openid-configuration"); err != nil {
		z.Close()
		return nil, fmt.Errorf("realas: zitadel-op: %w; output:\n%s", err, logs)
	}
	return z, nil
}

// Close kills the provider by its pid and waits for it.
func (z *Zitadel) Close() {
	z.p.stop()
	if w, ok := z.p.cmd.Stdout.(*io.PipeWriter); ok {
		w.Close()
	}
}

// Done is closed once the process has exited.
func (z *Zitadel) Done() <-chan struct{} { return z.p.done }

// Logs is the tail of the provider's output.
func (z *Zitadel) Logs() string { return z.p.logs.String() }

// CodeFlow runs an authorization-code flow; the provider's login page
// approves f.Subject (its login_hint) at once.
func (z *Zitadel) CodeFlow(ctx context.Context, f CodeFlow) (Tokens, error) {
	return runCodeFlow(ctx, z.Endpoints, f, func(context.Context, *url.URL, CodeFlow) (string, bool, error) {
		return "", false, nil
	})
}

// StartZitadelT is StartZitadel for tests: it skips (fails under CI=true)
// when the provider cannot be built, and closes it in t.Cleanup.
func StartZitadelT(t testing.TB, clients []ZitadelClient) *Zitadel {
	t.Helper()
	if _, err := ZitadelBinary(); err != nil {
		skipOrFail(t, err)
	}
	z, err := StartZitadel(context.Background(), clients)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		z.Close()
		if t.Failed() {
			t.Logf("zitadel-op output:\n%s", z.Logs())
		}
	})
	return z
}
