package core_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btPreflight sends a CORS preflight from origin to h.
func btPreflight(h http.Handler, origin string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodOptions, "/mcp", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	req.Header.Set("Access-Control-Request-Headers", "authorization, mcp-session-id")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// never fails the test when the application's handler runs.
func never(t *testing.T) http.Handler {
	return http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("a preflight reached the handler") })
}

// TestPreflightNeverChallenged: a CORS preflight carries no credentials.
// Middleware (and so CORS around it) answers it 204 without a challenge and
// without running the handler; only the configured origins are granted
// the methods and headers, Authorization and MCP's among them. An OPTIONS
// request that is not a preflight is still authenticated.
func TestPreflightNeverChallenged(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	closed := btRS(t, as, nil)
	open := btRS(t, as, func(s *core.Settings) { s.CORSOrigins = []string{"https://app.example", "http://localhost:6274"} })
	star := btRS(t, as, func(s *core.Settings) { s.CORSOrigins = []string{"*"} })
	for _, tc := range []struct {
		name   string
		rs     *core.ResourceServer
		origin string
		allow  string
	}{
		{"default grants no origin", closed, "https://app.example", ""},
		{"listed origin", open, "https://app.example", "https://app.example"},
		{"second listed origin", open, "http://localhost:6274", "http://localhost:6274"},
		{"unlisted origin", open, "https://evil.example", ""},
		{"origin differing in case", open, "https://APP.example", ""},
		{"any origin", star, "https://evil.example", "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, h := range map[string]http.Handler{
				"Middleware": tc.rs.Middleware()(never(t)),
				"scoped":     tc.rs.Middleware()(tc.rs.RequireScopes(core.AnyScope("admin"))(never(t))),
				"CORS":       tc.rs.CORS(tc.rs.Middleware()(never(t))),
			} {
				rec := btPreflight(h, tc.origin)
				assert.Equal(t, http.StatusNoContent, rec.Code, name)
				assert.Empty(t, rec.Header().Get("WWW-Authenticate"), name)
				assert.Empty(t, rec.Body.String(), name)
				assert.Equal(t, tc.allow, rec.Header().Get("Access-Control-Allow-Origin"), name)
				assert.Contains(t, rec.Header().Get("Vary"), "Origin", name)
				if tc.allow == "" {
					assert.Empty(t, rec.Header().Get("Access-Control-Allow-Headers"), name)
					continue
				}
				assert.Equal(t, "Authorization, Content-Type, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID",
					rec.Header().Get("Access-Control-Allow-Headers"), name)
				assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), "POST", name)
				assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), "DELETE", name)
			}
		})
	}
	// OPTIONS without Access-Control-Request-Method is an ordinary request.
	rec := httptest.NewRecorder()
	open.Middleware()(never(t)).ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/mcp", nil))
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer realm="oidcrs"`, rec.Header().Get("WWW-Authenticate"))
}

// TestCORSResponses: behind rs.CORS, an allowed origin may read every
// answer, refusals included, with the challenge and the MCP session id
// exposed; any other origin gets no grant.
func TestCORSResponses(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.CORSOrigins = []string{"https://app.example"} })
	h := rs.CORS(rs.Middleware()(perfOK))
	for _, tc := range []struct {
		origin, auth, allow string
		status              int
	}{
		{"https://app.example", "", "https://app.example", http.StatusUnauthorized},
		{"https://app.example", "Bearer " + as.Mint(nil), "https://app.example", http.StatusNoContent},
		{"https://evil.example", "", "", http.StatusUnauthorized},
		{"", "", "", http.StatusUnauthorized},
	} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		require.Equal(t, tc.status, rec.Code, tc.origin)
		assert.Equal(t, tc.allow, rec.Header().Get("Access-Control-Allow-Origin"), tc.origin)
		if tc.allow != "" {
			assert.Equal(t, "WWW-Authenticate, Retry-After, Mcp-Session-Id", rec.Header().Get("Access-Control-Expose-Headers"))
		}
	}
}

// TestCORSOriginsSetting: OIDC_RS_CORS_ORIGINS is read as a list, and an
// entry that a browser's Origin header can never equal is refused.
func TestCORSOriginsSetting(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	s, err := core.SettingsFromEnv(btEnv(btEnvFor(as, map[string]string{
		"OIDC_RS_CORS_ORIGINS": "https://app.example, http://localhost:6274"})))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example", "http://localhost:6274"}, s.CORSOrigins)
	require.NoError(t, s.Validate())
	for _, bad := range []string{"https://app.example/", "app.example", "HTTPS://app.example", "https://u@app.example",
		"https://app.example/path", "ftp://app.example", "https://app.example?x", "null"} {
		s.CORSOrigins = []string{bad}
		err := s.Validate()
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "OIDC_RS_CORS_ORIGINS", bad)
	}
	s.CORSOrigins = []string{"*", "https://app.example:8443"}
	assert.NoError(t, s.Validate())
}
