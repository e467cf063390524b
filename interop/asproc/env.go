package asproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// DirEnv names the environment variable that overrides the location of the
// as/ directory (the one holding server.js and node_modules).
const DirEnv = "OIDCRS_INTEROP_AS_DIR"

// Dir returns the as/ directory: $OIDCRS_INTEROP_AS_DIR if set, else the
// sibling of this package's source directory.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		return filepath.Abs(d)
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", fmt.Errorf("asproc: cannot locate interop/as from the source path; set %s", DirEnv)
	}
	return filepath.Join(filepath.Dir(file), "..", "as"), nil
}

// NodeAvailable reports why the AS cannot be started, or nil: node must be on
// PATH and the npm dependencies must be installed in the as/ directory.
func NodeAvailable() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("asproc: Node.js (node) not found on PATH; install Node.js >= 20 and run `npm ci` in interop/as")
	}
	dir, err := Dir()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "server.js")); err != nil {
		return fmt.Errorf("asproc: %s/server.js not found; set %s", dir, DirEnv)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		return fmt.Errorf("asproc: oidc-provider not installed in %s: run `npm ci` in interop/as", dir)
	}
	return nil
}

// SkipUnlessAvailable skips t when NodeAvailable fails, except under
// CI=true where a missing Node.js or npm install is a test failure.
func SkipUnlessAvailable(t testing.TB) {
	t.Helper()
	if err := NodeAvailable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop AS unavailable in CI: %v", err)
		}
		t.Skipf("skipping interop test: %v", err)
	}
}

// StartT is Start for tests: it calls SkipUnlessAvailable, fails t if the
// AS does not start, closes it in t.Cleanup and then, if t failed, logs the
// server's stderr.
func StartT(t testing.TB, cfg Config) *AS {
	t.Helper()
	SkipUnlessAvailable(t)
	a, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("closing AS: %v", err)
		}
		if t.Failed() {
			t.Logf("AS stderr:\n%s", a.Logs())
		}
	})
	return a
}
