package suite_test

import (
	"bytes"
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

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// cliOutput is what one run of the oidcrs command left.
type cliOutput struct {
	stdout, stderr string
	code           int
}

// cliStep is one step of oidcrs check -json.
type cliStep struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Hint   string `json:"hint"`
}

// buildCLI builds cmd/oidcrs of the root module (the interop module
// requires it through a replace) into a temporary directory.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "oidcrs")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/oidcrs/oidcrs/cmd/oidcrs").CombinedOutput()
	require.NoError(t, err, "building oidcrs: %s", out)
	return bin
}

// cliRun runs the command with exactly env (PATH aside) and stdin.
func cliRun(t *testing.T, bin string, env map[string]string, stdin string, args ...string) cliOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	out := cliOutput{}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "running oidcrs %v: %v", args, err)
		out.code = ee.ExitCode()
	}
	out.stdout, out.stderr = stdout.String(), stderr.String()
	return out
}

// cliCheck runs oidcrs check -json and parses its steps.
func cliCheck(t *testing.T, bin string, env map[string]string) (cliOutput, []cliStep) {
	t.Helper()
	out := cliRun(t, bin, env, "", "check", "-json")
	var steps []cliStep
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &steps), "stdout: %s\nstderr: %s", out.stdout, out.stderr)
	require.NotEmpty(t, steps)
	return out, steps
}

// cliExplain runs oidcrs explain -json with token on stdin.
func cliExplain(t *testing.T, bin string, env map[string]string, token string) (cliOutput, map[string]any) {
	t.Helper()
	out := cliRun(t, bin, env, token+"\n", "explain", "-json")
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(out.stdout), &v), "stdout: %s\nstderr: %s", out.stdout, out.stderr)
	return out, v
}

// assertCLIQuiet asserts that no secret reached the command's output.
func assertCLIQuiet(t *testing.T, out cliOutput, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for line := range strings.SplitSeq(s, "\n") {
			if line = strings.TrimSpace(line); len(line) < 16 || strings.HasPrefix(line, "-----") {
				continue
			}
			assert.NotContains(t, out.stdout, line, "stdout echoes a secret")
			assert.NotContains(t, out.stderr, line, "stderr echoes a secret")
		}
		if !strings.Contains(s, "\n") {
			assert.NotContains(t, out.stdout, s, "stdout echoes a secret")
			assert.NotContains(t, out.stderr, s, "stderr echoes a secret")
		}
	}
}

// TestCLI runs oidcrs check and oidcrs explain, as processes, against node
// oidc-provider, with both introspection backends.
func TestCLI(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	bin := buildCLI(t)
	jsonRS, jwtRS := jsonClient("rs-cli-json"), jwtClient(t, "rs-cli-jwt")
	// A client whose jwks_uri never serves the RS's keys.
	noKeysRS := jwtClient(t, "rs-cli-jwt-nokeys")
	as := asproc.StartT(t, asConfig(jsonRS, jwtRS, noKeysRS))
	// The AS encrypts RFC 9701 answers to the key at the client's jwks_uri.
	jwtRS.app.serve(newRS(t, jwtRS.env(as, nil)).JWKSHandler())

	t.Run("jwks not fetched", func(t *testing.T) {
		t.Parallel()
		out, steps := cliCheck(t, bin, noKeysRS.env(as, nil))
		assert.Equal(t, 1, out.code)
		last := steps[len(steps)-1]
		assert.Equal(t, "introspection", last.Step, "steps: %+v", steps)
		assert.Contains(t, last.Detail, "the AS could not fetch our /jwks")
		assert.Contains(t, last.Detail, `the AS said: error "invalid_client_metadata"`)
		assert.Contains(t, last.Hint, "jwks_uri")
		assertCLIQuiet(t, out, noKeysRS.secret(), noKeysRS.pem)
	})

	for _, tc := range []struct {
		name  string
		c     rsClient
		steps []string
	}{
		{"json", jsonRS, []string{"settings", "introspection"}},
		{"jwt", jwtRS, []string{"settings", "AS JWKS", "introspection", "JWT answer"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := tc.c.env(as, nil)
			secrets := []string{tc.c.secret(), tc.c.pem}

			out, steps := cliCheck(t, bin, env)
			require.Equal(t, 0, out.code, "steps: %+v\nstderr: %s", steps, out.stderr)
			var names []string
			for _, s := range steps {
				names = append(names, s.Step)
				assert.True(t, s.OK, "%+v", s)
			}
			assert.Equal(t, tc.steps, names)
			assertCLIQuiet(t, out, secrets...)

			// Endpoints left out: read from the AS's discovery document.
			discovered := tc.c.env(as, map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": "", "OIDC_OP_JWKS_ENDPOINT": ""})
			delete(discovered, "OIDC_OP_INTROSPECTION_ENDPOINT")
			delete(discovered, "OIDC_OP_JWKS_ENDPOINT")
			out, steps = cliCheck(t, bin, discovered)
			assert.Equal(t, 0, out.code, "steps: %+v", steps)
			assert.Equal(t, "discovery", steps[1].Step)

			// The wrong secret: refused at the introspection step, with
			// the settings to fix.
			const wrong = "not-the-rs-secret-7c2d"
			out, steps = cliCheck(t, bin, tc.c.env(as, map[string]string{"OIDC_RS_CLIENT_SECRET": wrong}))
			assert.Equal(t, 1, out.code)
			last := steps[len(steps)-1]
			assert.Equal(t, "introspection", last.Step, "steps: %+v", steps)
			assert.False(t, last.OK)
			assert.Contains(t, last.Detail, "it answered 401")
			assert.Contains(t, last.Hint, "OIDC_RS_CLIENT_SECRET")
			assertCLIQuiet(t, out, append(secrets, wrong)...)
			text := cliRun(t, bin, tc.c.env(as, map[string]string{"OIDC_RS_CLIENT_SECRET": wrong}), "", "check")
			assert.Contains(t, text.stdout, "✗ introspection")

			// A good token, then the same token revoked.
			tok, sub := mint(t, as, "groups", time.Hour)
			out, v := cliExplain(t, bin, env, tok)
			assert.Equal(t, 0, out.code, "stdout: %s", out.stdout)
			assert.Equal(t, true, v["accepted"])
			claims, _ := v["claims"].(map[string]any)
			assert.Equal(t, sub, claims["sub"])
			assert.Equal(t, spID, claims["client_id"])
			assert.Equal(t, "groups", claims["scope"])
			assert.True(t, strings.HasPrefix(claims["exp_relative"].(string), "in "), claims["exp_relative"])
			assertCLIQuiet(t, out, append(secrets, tok)...)

			revoke(t, context.Background(), as, tok)
			out = cliRun(t, bin, env, tok, "explain")
			assert.Equal(t, 1, out.code)
			assert.Contains(t, out.stdout, "refused: an API answers 401 invalid_token")
			assert.Contains(t, out.stdout, "failed check Introspected user is not active")
			assertCLIQuiet(t, out, append(secrets, tok)...)

			// An expired token.
			short, _ := mint(t, as, "groups", time.Second)
			time.Sleep(2100 * time.Millisecond)
			out, v = cliExplain(t, bin, env, short)
			assert.Equal(t, 1, out.code)
			assert.Equal(t, false, v["accepted"])
			assert.EqualValues(t, 401, v["status"])
			assert.Equal(t, "invalid_token", v["error"])
			assertCLIQuiet(t, out, append(secrets, short)...)
		})
	}
}
