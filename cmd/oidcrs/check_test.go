package main

import (
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// checkJSON runs check -json and parses its steps.
func checkJSON(t *testing.T, env map[string]string) (result, []step) {
	t.Helper()
	r := oidcrs(t, env, "", "check", "-json")
	var steps []step
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &steps), "check -json output: %s\nstderr: %s", r.stdout, r.stderr)
	require.NotEmpty(t, steps)
	return r, steps
}

func stepNames(steps []step) []string {
	var names []string
	for _, s := range steps {
		names = append(names, s.Step)
	}
	return names
}

// assertFailsAt asserts that every step passed but the last, named name,
// whose hint names each of hints.
func assertFailsAt(t *testing.T, steps []step, name string, hints ...string) {
	t.Helper()
	last := steps[len(steps)-1]
	require.Equal(t, name, last.Step, "steps: %+v", steps)
	assert.False(t, last.OK, "%+v", last)
	for _, s := range steps[:len(steps)-1] {
		assert.True(t, s.OK, "%+v", s)
	}
	for _, h := range hints {
		assert.Contains(t, last.Hint, h)
	}
}

func TestCheckPasses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		mode  oidcrstest.Mode
		extra map[string]string
		steps []string
	}{
		{"json", oidcrstest.JSON, nil, []string{"settings", "introspection"}},
		{"jwt", oidcrstest.JWT, nil, []string{"settings", "AS JWKS", "introspection", "JWT answer"}},
		{"json discovered", oidcrstest.JSON, map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": "", "OIDC_OP_JWKS_ENDPOINT": ""},
			[]string{"settings", "discovery", "introspection"}},
		{"jwt discovered", oidcrstest.JWT, map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": "", "OIDC_OP_JWKS_ENDPOINT": ""},
			[]string{"settings", "discovery", "AS JWKS", "introspection", "JWT answer"}},
		{"basic auth", oidcrstest.JSON, map[string]string{"OIDC_RS_CLIENT_AUTH_METHOD": "client_secret_basic"}, []string{"settings", "introspection"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as, env := fakeAS(t, tc.mode)
			env = with(env, tc.extra)
			r := oidcrs(t, env, "", "check")
			require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			for _, name := range tc.steps {
				assert.Contains(t, r.stdout, "✓ "+name)
			}
			assert.NotContains(t, r.stdout, "✗")
			assert.NotContains(t, r.stdout, "\x1b[", "no colour when stdout is not a terminal")
			assert.Contains(t, r.stdout, "check passed")

			r, steps := checkJSON(t, env)
			assert.Equal(t, exitOK, r.code)
			assert.Equal(t, tc.steps, stepNames(steps))
			for _, s := range steps {
				assert.True(t, s.OK, "%+v", s)
				assert.Empty(t, s.Hint)
			}
			assertNotEchoed(t, r, as.Config().ClientSecret, env["OIDC_RS_PRIVATE_KEY_STR"])
		})
	}
}

func TestCheckAccessTokens(t *testing.T) {
	t.Parallel()
	as := startAS(t, oidcrstest.Config{SigningAlg: jose.ES256})
	s := as.AccessTokenSettings()
	s.SigningAlgorithm = "ES256"
	env := envOf(s)
	r, steps := checkJSON(t, env)
	require.Equal(t, exitOK, r.code, r.stdout)
	assert.Equal(t, []string{"settings", "AS JWKS"}, stepNames(steps), "no introspection for local JWT access tokens")
	assert.Contains(t, steps[1].Detail, "OIDC_RS_SIGNING_ALGO offered [ES256], not offered []")

	r, steps = checkJSON(t, with(env, map[string]string{"OIDC_RS_SIGNING_ALGO": "PS256", "OIDC_OP_JWKS_ENDPOINT": ""}))
	assert.Equal(t, exitFailed, r.code)
	assertFailsAt(t, steps, "AS JWKS", "OIDC_RS_SIGNING_ALGO")
	assert.Equal(t, []string{"settings", "discovery", "AS JWKS"}, stepNames(steps))
	assert.Contains(t, steps[2].Detail, "OIDC_RS_SIGNING_ALGO offered [], not offered [PS256]")
}

// TestCheckWrongSecret: the AS refuses the RS credentials; check fails at
// the introspection step and says which settings to fix.
func TestCheckWrongSecret(t *testing.T) {
	t.Parallel()
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as, env := fakeAS(t, mode)
			const wrong = "not-the-secret-5f1c"
			env = with(env, map[string]string{"OIDC_RS_CLIENT_SECRET": wrong})
			r, steps := checkJSON(t, env)
			assert.Equal(t, exitFailed, r.code)
			assertFailsAt(t, steps, "introspection", "OIDC_RS_CLIENT_ID", "OIDC_RS_CLIENT_SECRET", "OIDC_RS_CLIENT_AUTH_METHOD")
			assert.Contains(t, steps[len(steps)-1].Detail, "refused the resource server's credentials: it answered 401")
			assertNotEchoed(t, r, wrong, as.Config().ClientSecret)

			r = oidcrs(t, env, "", "check")
			assert.Equal(t, exitFailed, r.code)
			assert.Contains(t, r.stdout, "✗ introspection")
			assert.Contains(t, r.stdout, "fix: check OIDC_RS_CLIENT_ID, OIDC_RS_CLIENT_SECRET")
			assert.Contains(t, r.stdout, "check failed: 1 of")
			assertNotEchoed(t, r, wrong, as.Config().ClientSecret)
		})
	}
}

func TestCheckFailures(t *testing.T) {
	t.Parallel()
	otherKey, _ := testKeys(t) // an RSA key the AS does not encrypt to
	for _, tc := range []struct {
		name   string
		mode   oidcrstest.Mode
		cfg    func(*oidcrstest.Server)
		extra  map[string]string
		failAt string
		hints  []string
		later  string // the hint of the JWT answer step, which fails too
	}{
		{"AS down", oidcrstest.JSON, func(as *oidcrstest.Server) { as.SetFault(&oidcrstest.FaultDown) }, nil,
			"introspection", []string{"OIDC_OP_INTROSPECTION_ENDPOINT", "network"}, ""},
		{"AS failing", oidcrstest.JSON, func(as *oidcrstest.Server) { as.SetFault(&oidcrstest.FaultServerError) }, nil,
			"introspection", []string{"unexpected status"}, ""},
		{"not introspection", oidcrstest.JSON, func(as *oidcrstest.Server) { as.SetFault(&oidcrstest.FaultGarbage) }, nil,
			"introspection", []string{"not RFC 7662 JSON"}, ""},
		{"unreachable endpoint", oidcrstest.JSON, nil, map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": "http://127.0.0.1:1/introspect"},
			"introspection", []string{"OIDC_OP_INTROSPECTION_ENDPOINT"}, ""},
		{"discovery down", oidcrstest.JSON, func(as *oidcrstest.Server) { as.SetDiscoveryFault(&oidcrstest.FaultServerError) },
			map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": ""}, "discovery", []string{"OIDC_OP_URL"}, ""},
		{"wrong issuer", oidcrstest.JSON, nil, map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": "", "OIDC_OP_URL": "PLACEHOLDER/"},
			"discovery", []string{"OIDC_OP_URL", "trailing slash"}, ""},
		{"AS JWKS down", oidcrstest.JWT, func(as *oidcrstest.Server) { as.SetJWKSFault(&oidcrstest.FaultServerError) }, nil,
			"AS JWKS", []string{"OIDC_OP_JWKS_ENDPOINT"}, "OIDC_OP_JWKS_ENDPOINT"},
		{"wrong RS key", oidcrstest.JWT, nil, map[string]string{"OIDC_RS_PRIVATE_KEY_STR": otherKey, "OIDC_RS_ENCRYPTION_KEY_TYPE": "RSA", "OIDC_RS_ENCRYPTION_ALGO": "RSA-OAEP"},
			"JWT answer", []string{"OIDC_RS_PRIVATE_KEY_STR", "OIDC_RS_ENCRYPTION_ALGO", "jwks_uri"}, ""},
		{"wrong signing alg", oidcrstest.JWT, nil, map[string]string{"OIDC_RS_SIGNING_ALGO": "RS256"},
			"AS JWKS", []string{"OIDC_RS_SIGNING_ALGO"}, "OIDC_RS_SIGNING_ALGO"},
		{"JSON answers in jwt mode", oidcrstest.JSON, nil, map[string]string{"OIDC_RS_BACKEND_CLASS": "jwt", "OIDC_RS_SIGNING_ALGO": "ES256", "OIDC_RS_ENCRYPTION_ENCODING": "A256GCM"},
			"JWT answer", []string{"JWT introspection answers"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as, env := fakeAS(t, tc.mode)
			if tc.cfg != nil {
				tc.cfg(as)
			}
			extra := map[string]string{}
			for k, v := range tc.extra {
				extra[k] = strings.ReplaceAll(v, "PLACEHOLDER", as.URL)
			}
			r, steps := checkJSON(t, with(env, extra))
			assert.Equal(t, exitFailed, r.code)
			failed := -1
			for i, s := range steps {
				if !s.OK {
					failed = i
					break
				}
			}
			require.GreaterOrEqual(t, failed, 0, "no step failed: %+v", steps)
			assert.Equal(t, tc.failAt, steps[failed].Step, "steps: %+v", steps)
			for _, h := range tc.hints {
				assert.Contains(t, steps[failed].Hint, h)
			}
			if tc.later != "" {
				last := steps[len(steps)-1]
				assert.Equal(t, "JWT answer", last.Step)
				assert.False(t, last.OK)
				assert.Contains(t, last.Hint, tc.later)
			}
			assertNotEchoed(t, r, as.Config().ClientSecret, env["OIDC_RS_PRIVATE_KEY_STR"], otherKey)
		})
	}
}

// TestCheckSettings: every problem at once, in one step, and nothing
// after it; no secret printed.
func TestCheckSettings(t *testing.T) {
	t.Parallel()
	rsaKey, _ := testKeys(t)
	const secret = "a-secret-never-printed"
	env := map[string]string{
		"OIDC_RS_CLIENT_SECRET":   secret,
		"OIDC_RS_PRIVATE_KEY_STR": rsaKey,
		"OIDC_RS_BACKEND_CLASS":   "jwt",
		"OIDC_TIMEOUT":            "soon",
		"OIDC_RS_SCOPES":          "groups",
	}
	r, steps := checkJSON(t, env)
	assert.Equal(t, exitFailed, r.code)
	require.Len(t, steps, 1)
	assertFailsAt(t, steps, "settings", "docs/configuration.md")
	for _, name := range []string{"OIDC_TIMEOUT", "OIDC_RS_CLIENT_ID", "OIDC_OP_URL", "OIDC_RS_SIGNING_ALGO", "OIDC_RS_ENCRYPTION_ENCODING", "OIDC_RS_ENCRYPTION_ALGO"} {
		assert.Contains(t, steps[0].Detail, name)
	}
	assert.NotContains(t, steps[0].Detail, "OIDC_RS_SCOPES")
	assertNotEchoed(t, r, secret, rsaKey)

	r = oidcrs(t, nil, "", "check")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, "✗ settings")
	assert.Contains(t, r.stdout, "OIDC_RS_BACKEND_CLASS: is required")
}

// TestCheckSettingsInCore: the settings step is core's Validate, so its
// problems are core's own.
func TestCheckSettingsInCore(t *testing.T) {
	t.Parallel()
	s := core.Settings{Backend: core.BackendJSON}
	want := setting.Split(s.Validate())
	require.NotEmpty(t, want)
	_, steps := checkJSON(t, map[string]string{"OIDC_RS_BACKEND_CLASS": "json"})
	for _, p := range want {
		assert.Contains(t, steps[0].Detail, p.Error())
	}
}

// TestCheckSigningAlgList: OIDC_RS_SIGNING_ALGO as a Python list literal,
// which core accepts, passes check too: both read it with one parser.
func TestCheckSigningAlgList(t *testing.T) {
	t.Parallel()
	as := startAS(t, oidcrstest.Config{SigningAlg: jose.ES256})
	s := as.AccessTokenSettings()
	s.SigningAlgorithm = `["RS256", "ES256"]`
	r, steps := checkJSON(t, envOf(s))
	require.Equal(t, exitOK, r.code, r.stdout)
	assert.Equal(t, []string{"settings", "AS JWKS"}, stepNames(steps))
	assert.Contains(t, steps[1].Detail, "OIDC_RS_SIGNING_ALGO offered [ES256], not offered [RS256]")
}

// TestCheckASError: in JWT mode, check shows the authorization server's
// own error and error_description, and says plainly when the AS could not
// fetch our /jwks.
func TestCheckASError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, detail, hint string
	}{
		{"jwks not fetched", `{"error":"invalid_client_metadata","error_description":"client JSON Web Key Set failed to be refreshed"}`,
			"the AS could not fetch our /jwks", "jwks_uri"},
		{"other error", `{"error":"server_error","error_description":"database\u0007 down"}`, `error "server_error"`, "unexpected status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as, env := fakeAS(t, oidcrstest.JWT)
			status := 400
			if tc.name == "other error" {
				status = 500
			}
			as.SetFault(&oidcrstest.Fault{Status: status, ContentType: "application/json", Body: []byte(tc.body)})
			r, steps := checkJSON(t, env)
			assert.Equal(t, exitFailed, r.code)
			assertFailsAt(t, steps, "introspection", tc.hint)
			last := steps[len(steps)-1]
			assert.Contains(t, last.Detail, tc.detail)
			if tc.name == "jwks not fetched" {
				assert.Contains(t, last.Detail, `the AS said: error "invalid_client_metadata", error_description "client JSON Web Key Set failed to be refreshed"`)
			} else {
				assert.NotContains(t, last.Detail, "database", "an unprintable AS text is left out")
			}
		})
	}
}
