//go:build unix

package examples_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

const startMsg = "oidcrs example starting"

// TestExamplesLog runs the chi example (the log is written once, in
// examples/internal/app, for all of them) at LOG_LEVEL=debug, with its
// development authorization server and with an external one, in text and
// in JSON: stderr holds the one start-up line, and neither stderr nor
// stdout holds the client secret, a line of the private key or a token
// that was sent (stdout holds the development tokens, printed on purpose).
func TestExamplesLog(t *testing.T) {
	bin := buildExamples(t) + "/chi"
	t.Run("development server, text", func(t *testing.T) {
		t.Parallel()
		addr := freeAddr(t)
		p := start(t, bin, map[string]string{"ADDR": addr, "LOG_LEVEL": "debug"})
		out := p.waitFor(t, "Listening on http://"+addr)
		tokens := map[string]string{}
		for _, line := range out {
			if m := curlLine.FindStringSubmatch(line); m != nil {
				tokens[m[2]] = m[1]
			}
		}
		base := "http://" + addr
		me, admin := tokens[base+"/api/me"], tokens[base+"/api/admin"]
		require.NotEmpty(t, me)
		sent := sendSome(t, base, me, admin)
		p.stop(t)

		stderr := p.errors()
		line := requireStartLine(t, stderr)
		for _, want := range []string{"level=INFO", "authorization_server=development", "backend=jwt",
			"cache=on cache_ttl=1m0s", "shared_cache=off", "settings.OIDC_RS_CLIENT_SECRET=[REDACTED]"} {
			assert.Contains(t, line, want)
		}
		assert.Contains(t, stderr, "level=DEBUG", "the rejections, at debug")
		noLeak(t, stderr, oidcrstest.DefaultClientSecret, "PRIVATE KEY", "-----BEGIN")
		noLeak(t, stderr, sent...)
		noLeak(t, strings.Join(p.output(), "\n"), oidcrstest.DefaultClientSecret, "PRIVATE KEY", "unknown-token-of-the-test")
	})
	for _, format := range []string{"text", "json"} {
		t.Run("external server, "+format, func(t *testing.T) {
			t.Parallel()
			addr := freeAddr(t)
			as, env := externalAS(t, oidcrstest.JWT, addr)
			env["LOG_LEVEL"], env["LOG_FORMAT"] = "debug", format
			p := start(t, bin, env)
			p.waitFor(t, "Listening on http://"+addr)
			revoked := as.Mint(nil)
			as.Revoke(revoked)
			sent := sendSome(t, "http://"+addr, as.Mint(nil), as.Mint(map[string]any{"scope": "groups admin"}), revoked)
			p.stop(t)

			stderr := p.errors()
			line := requireStartLine(t, stderr)
			if format == "json" {
				for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
					require.True(t, json.Valid([]byte(l)), "not a JSON record: %s", l)
				}
				var rec struct {
					Level, Msg, Backend, Cache string
					Settings                   map[string]string
				}
				require.NoError(t, json.Unmarshal([]byte(line), &rec))
				assert.Equal(t, "INFO", rec.Level)
				assert.Equal(t, "jwt", rec.Backend)
				assert.Equal(t, "on", rec.Cache)
				assert.Equal(t, "[REDACTED]", rec.Settings["OIDC_RS_CLIENT_SECRET"])
				assert.Equal(t, "[REDACTED]", rec.Settings["OIDC_RS_PRIVATE_KEY_STR"])
				assert.Equal(t, as.URL, rec.Settings["OIDC_OP_URL"])
			} else {
				assert.Contains(t, line, "authorization_server=external")
			}
			assert.Regexp(t, `level=DEBUG|"level":"DEBUG"`, stderr, "the rejections, at debug")
			secrets := append([]string{env["OIDC_RS_CLIENT_SECRET"]}, pemLines(env["OIDC_RS_PRIVATE_KEY_STR"])...)
			for name, text := range map[string]string{"stderr": stderr, "stdout": strings.Join(p.output(), "\n")} {
				t.Run(name, func(t *testing.T) {
					noLeak(t, text, secrets...)
					noLeak(t, text, sent...)
				})
			}
		})
	}
	t.Run("a bad LOG_LEVEL stops the start", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(bin)
		cmd.Env = []string{"ADDR=" + freeAddr(t), "LOG_LEVEL=verbose"}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "%v: %s", err, out)
		assert.Contains(t, string(out), "LOG_LEVEL")
	})
}

// sendSome sends a few requests, good and bad, and returns every token
// sent: me, admin and the extra ones, then made-up ones.
func sendSome(t *testing.T, base, me, admin string, extra ...string) []string {
	t.Helper()
	sent := append([]string{me, admin, "unknown-token-of-the-test"}, extra...)
	for _, path := range []string{"/api/me", "/api/admin"} {
		for _, tok := range sent {
			resp, _ := get(t, base+path, tok)
			assert.NotEqual(t, http.StatusInternalServerError, resp.StatusCode)
		}
	}
	// A malformed header: two values.
	req, err := http.NewRequest(http.MethodGet, base+"/api/me", nil)
	require.NoError(t, err)
	req.Header.Add("Authorization", "Bearer "+me)
	req.Header.Add("Authorization", "Bearer second-token-of-the-test")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	return append(sent, "second-token-of-the-test")
}

// requireStartLine returns the one start-up record of stderr.
func requireStartLine(t *testing.T, stderr string) string {
	t.Helper()
	var found []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, startMsg) {
			found = append(found, l)
		}
	}
	require.Len(t, found, 1, "one start-up line in:\n%s", stderr)
	return found[0]
}

// pemLines returns the lines of a PEM, headers and base64 alike.
func pemLines(pem string) []string {
	var lines []string
	for _, l := range strings.Split(pem, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func noLeak(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%q leaked into:\n%s", s, text)
		}
	}
}
