//go:build unix

package examples_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tsclientDir holds the node script that drives the official MCP
// TypeScript SDK (package.json pins it; npm ci installs it).
const tsclientDir = "mcp/tsclient"

// tsclientAvailable reports why the script cannot run, or nil.
func tsclientAvailable() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("Node.js (node) is not on the PATH")
	}
	if _, err := os.Stat(filepath.Join(tsclientDir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		return errors.New("@modelcontextprotocol/sdk is not installed: run `npm ci` in examples/mcp/tsclient (scripts/test.sh does)")
	}
	return nil
}

// TestMCPLogin runs examples/mcp with no OIDC_OP_URL, so with its
// development login server, and lets the official MCP TypeScript SDK log
// in to it from nothing: the 401, discovery, registration, authorization
// (PKCE) and token; whoami; then, in a session that starts with scope
// "groups" only, the 403 insufficient_scope, the SDK's re-authorization
// with the challenged scope set, and whoami again. It skips without Node.js
// or the npm packages, and fails for that under CI=true.
func TestMCPLogin(t *testing.T) {
	if err := tsclientAvailable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the MCP TypeScript SDK client cannot run in CI: %v", err)
		}
		t.Skipf("skipping the MCP TypeScript SDK login: %v", err)
	}
	bin := buildExamples(t) + "/mcp"
	addr := freeAddr(t)
	p := start(t, bin, map[string]string{"ADDR": addr})
	p.waitFor(t, "Listening on http://"+addr)
	endpoint := "http://" + addr + "/mcp"

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "login.mjs", endpoint)
	cmd.Dir = tsclientDir
	out, runErr := cmd.CombinedOutput()
	log := string(out)
	t.Logf("the SDK's exchanges (tokens, codes and verifiers redacted):\n%s", log)
	results := map[string]whoamiResult{}
	for line := range strings.Lines(log) {
		if name, doc, ok := strings.Cut(strings.TrimPrefix(line, "RESULT "), " "); ok && strings.HasPrefix(line, "RESULT ") {
			var w whoamiResult
			require.NoError(t, json.Unmarshal([]byte(doc), &w), line)
			results[name] = w
		}
	}

	t.Run("login from nothing", func(t *testing.T) {
		for _, step := range []string{
			"<- 401 WWW-Authenticate: Bearer ", // the challenge, with resource_metadata
			"/.well-known/oauth-protected-resource/mcp",
			"/.well-known/oauth-authorization-server",
			"-> POST http://127.0.0.1:", // ... /register
			"<- 201",
			`code_challenge_method=S256`,
			"Approved automatically by the development authorization server",
			`"scope":"groups mcp","token_type":"Bearer"`,
		} {
			assert.Contains(t, log, step)
		}
		login, ok := results["login"]
		require.True(t, ok, "no whoami after the login")
		assert.Equal(t, "dev-user", login.Subject)
		assert.ElementsMatch(t, []string{"groups", "mcp"}, login.Scopes)
		assert.NotEmpty(t, login.ClientID, "the registered client's id")
	})

	t.Run("refused, then steps up with the challenged scopes", func(t *testing.T) {
		assert.Contains(t, log, `tokens saved: scope="groups"`)
		assert.Contains(t, log, `<- 403 WWW-Authenticate: Bearer `)
		assert.Contains(t, log, `error="insufficient_scope"`)
		require.NoError(t, runErr, "the script failed (a step-up that bounces between two 403s"+
			" means the challenge does not list every scope the request needs)")
		stepup, ok := results["stepup"]
		require.True(t, ok, "no whoami after the step-up")
		assert.ElementsMatch(t, []string{"groups", "mcp"}, stepup.Scopes)
		assert.Equal(t, results["login"].ClientID, stepup.ClientID, "one registration, two logins")
	})
	p.stop(t)
}

// whoamiResult is the whoami tool's answer.
type whoamiResult struct {
	Subject  string   `json:"sub"`
	Scopes   []string `json:"scopes"`
	ClientID string   `json:"client_id"`
}
