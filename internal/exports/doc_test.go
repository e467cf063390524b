package exports

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the generated section of docs/architecture.md")

// root is the repository's root, seen from this package's directory.
const root = "../.."

// TestArchitectureListsTheExports keeps docs/architecture.md's generated
// section equal to the code. After a change to an exported name, run
//
//	go test ./internal/exports -update
func TestArchitectureListsTheExports(t *testing.T) {
	pkgs, err := Packages(root)
	require.NoError(t, err)
	var dirs []string
	for _, p := range pkgs {
		dirs = append(dirs, p.Dir)
	}
	for _, want := range []string{"core", "core/oidcrstest", "adapters/gin", "adapters/echo",
		"adapters/echov5", "adapters/chi", "adapters/grpc", "adapters/connect", "adapters/mcp", "cache/redis", "otel"} {
		assert.Contains(t, dirs, want)
	}
	for _, dir := range dirs {
		assert.NotContains(t, "/"+dir+"/", "/internal/", "internal packages are not public")
	}

	path := filepath.Join(root, "docs", "architecture.md")
	doc, err := os.ReadFile(path)
	require.NoError(t, err)
	want := Section(pkgs)
	out, got, err := Splice(string(doc), want)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(out), 0o644))
		return
	}
	if got != want {
		t.Errorf("docs/architecture.md's exported names differ from the code; "+
			"run `go test ./internal/exports -update` to write this section:\n\n%s", want)
	}
}
