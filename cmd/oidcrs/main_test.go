package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// bin is the oidcrs binary, built once per test binary: every test runs
// it as a process, with an environment and a stdin of its own.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "oidcrs-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "oidcrs")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building oidcrs: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the command left.
type result struct {
	stdout, stderr string
	code           int
}

// oidcrs runs the binary with exactly env as its environment (PATH
// aside), stdin as its input, and args.
func oidcrs(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "running oidcrs %v: %v", args, err)
		code = ee.ExitCode()
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// assertNotEchoed fails when any secret appears in the run's output. A
// PEM counts by every line of its body.
func assertNotEchoed(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, part := range secretParts(s) {
			assert.NotContains(t, r.stdout, part, "stdout echoes a secret")
			assert.NotContains(t, r.stderr, part, "stderr echoes a secret")
		}
	}
}

func secretParts(s string) []string {
	if !strings.Contains(s, "-----BEGIN") {
		return []string{s}
	}
	var parts []string
	for line := range strings.SplitSeq(s, "\n") {
		if line = strings.TrimSpace(line); len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			parts = append(parts, line)
		}
	}
	return parts
}

// envOf writes settings as the environment variables a user would set.
func envOf(s core.Settings) map[string]string {
	env := map[string]string{
		"OIDC_RS_BACKEND_CLASS":          string(s.Backend),
		"OIDC_RS_CLIENT_ID":              s.ClientID,
		"OIDC_RS_CLIENT_SECRET":          s.ClientSecret,
		"OIDC_OP_URL":                    s.Issuer,
		"OIDC_OP_INTROSPECTION_ENDPOINT": s.IntrospectionEndpoint,
		"OIDC_OP_JWKS_ENDPOINT":          s.JWKSEndpoint,
		"OIDC_RS_RESOURCE":               s.Resource,
		"OIDC_RS_SCOPES":                 strings.Join(s.Scopes, " "),
		"OIDC_RS_SIGNING_ALGO":           s.SigningAlgorithm,
		"OIDC_RS_ENCRYPTION_ALGO":        s.EncryptionAlgorithm,
		"OIDC_RS_ENCRYPTION_ENCODING":    s.EncryptionEncoding,
		"OIDC_RS_PRIVATE_KEY_STR":        s.PrivateKey,
		"OIDC_RS_ENCRYPTION_KEY_TYPE":    s.KeyType,
		"OIDC_TIMEOUT":                   "10",
	}
	for k, v := range env {
		if v == "" {
			delete(env, k)
		}
	}
	return env
}

// with returns a copy of env with extra set ("" deletes).
func with(env map[string]string, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for k, v := range extra {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// Keys are generated once: RSA generation is slow under -race.
var (
	keyOnce        sync.Once
	rsaPEM, ecPEM  string
	errKeyGenerate error
)

func testKeys(t *testing.T) (rsaKey, ecKey string) {
	t.Helper()
	keyOnce.Do(func() {
		if rsaPEM, errKeyGenerate = oidcrstest.GenerateRSAKeyPEM(2048); errKeyGenerate == nil {
			ecPEM, errKeyGenerate = oidcrstest.GenerateECKeyPEM()
		}
	})
	require.NoError(t, errKeyGenerate)
	return rsaPEM, ecPEM
}

// fakeAS starts the fake authorization server in mode and returns it with
// the environment of a resource server that trusts it. In JWT mode the
// server encrypts to the RS key (EC, ECDH-ES, signing ES256).
func fakeAS(t *testing.T, mode oidcrstest.Mode) (*oidcrstest.Server, map[string]string) {
	t.Helper()
	_, pem := testKeys(t)
	cfg := oidcrstest.Config{Mode: mode, KeyAlg: jose.ECDH_ES, SigningAlg: jose.ES256}
	if mode == oidcrstest.JWT {
		cfg.RSKey = publicJWK(t, core.Settings{PrivateKey: pem, KeyType: "EC", EncryptionAlgorithm: "ECDH-ES"})
	}
	as := startAS(t, cfg)
	s := as.Settings(pem)
	s.KeyType = "EC"
	return as, envOf(s)
}

// startAS starts the fake authorization server and makes one request to
// it from this process. oidcrstest.New sets Server.URL after its HTTP
// server started, and its handlers read it; when only a child process
// talks to the server, nothing orders that write before those reads for
// the race detector. An in-process request does (the network calls of a
// process synchronise under -race).
func startAS(t *testing.T, cfg oidcrstest.Config) *oidcrstest.Server {
	t.Helper()
	as := oidcrstest.Start(t, cfg)
	resp, err := http.Get(as.JWKSURL())
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	as.ResetCounts()
	return as
}

// publicJWK is the first key that /jwks serves for s, from core's handler.
func publicJWK(t *testing.T, s core.Settings) *jose.JSONWebKey {
	t.Helper()
	rec := httptest.NewRecorder()
	core.Disabled(s, fmt.Errorf("test")).JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &set))
	require.NotEmpty(t, set.Keys)
	return &set.Keys[0]
}
