package examples_test

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExamplesDoNotLinkTesting checks that no example binary links the
// testing package: the development authorization server they embed
// (oidcrstest) must not pull it in, nor must the log, metrics or MCP
// wiring.
func TestExamplesDoNotLinkTesting(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	mains := []string{"./gin", "./echo", "./echov5", "./chi", "./connect", "./grpc", "./grpc/whoami", "./mcp"}
	args := append([]string{"list", "-f", `{{.ImportPath}} {{join .Deps " "}}`}, mains...)
	out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, len(mains), string(out))
	for _, line := range lines {
		fields := strings.Fields(line)
		t.Run(fields[0], func(t *testing.T) {
			assert.NotContains(t, fields[1:], "testing")
			assert.False(t, slices.ContainsFunc(fields[1:], func(p string) bool { return strings.HasPrefix(p, "testing/") }),
				"a testing/... package")
		})
	}
}
