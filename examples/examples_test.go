//go:build unix

package examples_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestExamples runs each example as a real process three times: with its
// embedded development authorization server, then against a fake
// authorization server configured only by the reference's environment
// variables, JSON backend and RFC 9701 JWT backend.
func TestExamples(t *testing.T) {
	bin := buildExamples(t)
	for _, name := range []string{"gin", "echo", "echov5", "chi"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := bin + "/" + name
			t.Run("development server", func(t *testing.T) { testDev(t, path) })
			t.Run("json", func(t *testing.T) { testExternal(t, path, oidcrstest.JSON) })
			t.Run("jwt", func(t *testing.T) { testExternal(t, path, oidcrstest.JWT) })
		})
	}
	t.Run("grpc", func(t *testing.T) {
		t.Parallel()
		t.Run("development server", func(t *testing.T) { testDevGRPC(t, bin) })
		t.Run("json", func(t *testing.T) { testExternalGRPC(t, bin, oidcrstest.JSON) })
		t.Run("jwt", func(t *testing.T) { testExternalGRPC(t, bin, oidcrstest.JWT) })
	})
}

var curlLine = regexp.MustCompile(`curl -i -H 'Authorization: Bearer ([A-Za-z0-9_-]+)' (http://\S+)$`)

func testDev(t *testing.T, bin string) {
	addr := freeAddr(t)
	p := start(t, bin, map[string]string{"ADDR": addr})
	out := p.waitFor(t, "Listening on http://"+addr)
	tokens := map[string]string{} // URL -> token
	for _, line := range out {
		if m := curlLine.FindStringSubmatch(line); m != nil {
			tokens[m[2]] = m[1]
		}
	}
	base := "http://" + addr
	me, admin := tokens[base+"/api/me"], tokens[base+"/api/admin"]
	require.NotEmpty(t, me, "no curl command for /api/me in:\n%s", strings.Join(out, "\n"))
	require.NotEmpty(t, admin, "no curl command for /api/admin in:\n%s", strings.Join(out, "\n"))

	checkRoutes(t, base, me, admin)
	p.stop(t)
}

func testExternal(t *testing.T, bin string, mode oidcrstest.Mode) {
	addr := freeAddr(t)
	base := "http://" + addr
	as, env := externalAS(t, mode, addr)
	p := start(t, bin, env)
	out := p.waitFor(t, "Listening on "+base)
	assert.NotContains(t, strings.Join(out, "\n"), "development authorization server")

	me := as.Mint(nil)
	admin := as.Mint(map[string]any{"scope": "groups admin"})
	checkRoutes(t, base, me, admin)
	assert.Positive(t, as.IntrospectionCalls())
	p.stop(t)
}

// externalAS starts a fake authorization server in mode and returns it
// with the environment of an example listening on addr (ADDR) that uses
// it, configured by the reference's variables only.
func externalAS(t *testing.T, mode oidcrstest.Mode, addr string) (*oidcrstest.Server, map[string]string) {
	base := "http://" + addr
	pem, err := oidcrstest.GenerateECKeyPEM()
	require.NoError(t, err)
	cfg := oidcrstest.Config{Mode: mode, RSJWKSURL: base + "/jwks", KeyAlg: jose.ECDH_ES, SigningAlg: jose.ES256}
	as := oidcrstest.Start(t, cfg)
	backend := "lasuite.oidc_resource_server.backend.ResourceServerBackend"
	if mode == oidcrstest.JWT {
		backend = "lasuite.oidc_resource_server.backend.JWTResourceServerBackend"
	}
	env := map[string]string{
		"ADDR":                           addr,
		"OIDC_RS_BACKEND_CLASS":          backend,
		"OIDC_RS_CLIENT_ID":              oidcrstest.DefaultClientID,
		"OIDC_RS_CLIENT_SECRET":          oidcrstest.DefaultClientSecret,
		"OIDC_OP_URL":                    as.URL,
		"OIDC_OP_INTROSPECTION_ENDPOINT": as.IntrospectionURL(),
		"OIDC_OP_JWKS_ENDPOINT":          as.JWKSURL(),
		"OIDC_RS_AUDIENCE_CLAIM":         "client_id",
		"OIDC_RS_SCOPES":                 `["groups"]`,
		"OIDC_RS_SIGNING_ALGO":           "ES256",
		"OIDC_RS_ENCRYPTION_ALGO":        "ECDH-ES",
		"OIDC_RS_ENCRYPTION_ENCODING":    "A256GCM",
		"OIDC_RS_ENCRYPTION_KEY_TYPE":    "EC",
		"OIDC_RS_PRIVATE_KEY_STR":        pem,
		"OIDC_VERIFY_SSL":                "true",
		"OIDC_TIMEOUT":                   "60", // generous: a timeout would be a 503
	}
	return as, env
}

// checkRoutes calls every route of an example: me holds scope groups,
// admin holds groups and admin.
func checkRoutes(t *testing.T, base, me, admin string) {
	forbidden := `Bearer realm="oidcrs", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="groups admin"`
	for _, tc := range []struct {
		name, path, token string
		status            int
		challenge         string
		body              string // exact JSON, compared after decoding
	}{
		{"healthz", "/healthz", "", http.StatusOK, "", `{"status":"ok"}`},
		{"me without token", "/api/me", "", http.StatusUnauthorized, `Bearer realm="oidcrs"`,
			`{"error":"unauthorized","error_description":"Authentication credentials were not provided."}`},
		{"me", "/api/me", me, http.StatusOK, "",
			`{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups"]}`},
		{"me with the admin token", "/api/me", admin, http.StatusOK, "",
			`{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups","admin"]}`},
		{"admin without the admin scope", "/api/admin", me, http.StatusForbidden, forbidden,
			`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token."}`},
		{"admin", "/api/admin", admin, http.StatusOK, "", `{"message":"welcome, admin","sub":"user-1"}`},
		{"admin with an unknown token", "/api/admin", "unknown-token", http.StatusUnauthorized,
			`Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"`,
			`{"error":"invalid_token","error_description":"Introspected user is not active"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, base+tc.path, tc.token)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.challenge, resp.Header.Get("WWW-Authenticate"))
			assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json"), resp.Header.Get("Content-Type"))
			assert.JSONEq(t, tc.body, string(body))
		})
	}
	checkJWKS(t, base)
	checkNoMetrics(t, base)
}

// checkJWKS checks an example's /jwks: one public encryption key.
func checkJWKS(t *testing.T, base string) {
	t.Run("jwks", func(t *testing.T) {
		resp, body := get(t, base+"/jwks", "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		var set jose.JSONWebKeySet
		require.NoError(t, json.Unmarshal(body, &set))
		require.Len(t, set.Keys, 1)
		assert.True(t, set.Keys[0].IsPublic())
		assert.Equal(t, "enc", set.Keys[0].Use)
	})
}

func get(t *testing.T, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := http.Client{Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}
