package realas

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// HydraVersion is the ORY Hydra release the tests run.
const HydraVersion = "v2.3.0"

// HydraBinEnv overrides where the Hydra binary is looked for.
const HydraBinEnv = "OIDCRS_INTEROP_HYDRA"

// HydraPath is where scripts/interop-hydra.sh puts the Hydra binary: the
// user cache directory, keyed by version ($OIDCRS_INTEROP_HYDRA when set).
func HydraPath() (string, error) {
	if p := os.Getenv(HydraBinEnv); p != "" {
		return p, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("realas: no user cache directory: %w", err)
	}
	return filepath.Join(dir, "oidcrs-interop", "hydra-"+HydraVersion, "hydra"), nil
}

// HydraAvailable reports why Hydra cannot be started, or nil.
func HydraAvailable() error {
	p, err := HydraPath()
	if err != nil {
		return err
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("ORY Hydra %s is not built (%s): run scripts/interop-hydra.sh (minutes, once)", HydraVersion, p)
	}
	return nil
}

// skipOrFail skips t with one line, or fails it under CI=true, where a
// missing server is an error of the set-up.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("interop server unavailable in CI: %v", err)
	}
	t.Skipf("skipping: %v", err)
}

// SkipUnlessHydra skips t when the Hydra binary is missing (fails under
// CI=true).
func SkipUnlessHydra(t testing.TB) {
	t.Helper()
	if err := HydraAvailable(); err != nil {
		skipOrFail(t, err)
	}
}
