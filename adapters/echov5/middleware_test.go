package echov5rs_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/adapters/echov5"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

func ok(c *echo.Context) error { return c.String(http.StatusOK, "ok") }

func TestRegisterRoutesDefaultPath(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	e := echo.New()
	echov5rs.RegisterRoutes(e.Group("/keys"), rs, nil)
	w := adaptertest.Get(e, "/keys/jwks", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "ECDH-ES", set.Keys[0]["alg"])
	assert.NotContains(t, set.Keys[0], "d")
}

// TestNilResourceServerPanicsAtSetup checks that a route wired without a
// resource server never starts serving, rather than answering 500, and
// that ToMiddleware says so with an error instead.
func TestNilResourceServerPanicsAtSetup(t *testing.T) {
	for _, tc := range []struct {
		name, fn string
		setup    func()
	}{
		{"Middleware", "Middleware", func() { echov5rs.Middleware(nil) }},
		{"MiddlewareWithConfig", "MiddlewareWithConfig", func() { echov5rs.MiddlewareWithConfig(echov5rs.Config{Optional: true}) }},
		{"RequireScopes", "RequireScopes", func() { echov5rs.RequireScopes(nil, core.AnyScope("admin")) }},
		{"RegisterRoutes", "RegisterRoutes", func() { echov5rs.RegisterRoutes(echo.New(), nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, "echov5rs: "+tc.fn+" with a nil *core.ResourceServer", tc.setup)
		})
	}
	mw, err := echov5rs.Config{Optional: true}.ToMiddleware()
	assert.Nil(t, mw)
	require.EqualError(t, err, "echov5rs: Config.ResourceServer is nil")
}

// TestRegisterRoutesWithoutKey checks that a resource server without a
// private key still gets its /jwks route, which answers the reference's
// 500.
func TestRegisterRoutesWithoutKey(t *testing.T) {
	e := echo.New()
	echov5rs.RegisterRoutes(e, core.Disabled(core.Settings{}, nil))
	w := adaptertest.Get(e, "/jwks", "")
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`, w.Body.String())
}

// TestErrorsReachTheApplication checks what an application's error
// handler gets: an error holding an *echo.HTTPError that wraps core's
// error, with the challenge already on the response.
func TestErrorsReachTheApplication(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	var got error
	e := echo.New()
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		got = err
		_ = c.String(http.StatusTeapot, "rendered by the application")
	}
	e.GET("/auth", ok, echov5rs.Middleware(rs))
	e.GET("/scope", ok, echov5rs.Middleware(rs), echov5rs.RequireScopes(rs, core.AllScopes("admin")))

	for _, tc := range []struct {
		name, path, auth string
		kind             error
		status           int
		desc, challenge  string
	}{
		{"no token", "/auth", "", core.ErrMissingToken, http.StatusUnauthorized,
			"Authentication credentials were not provided.", `Bearer realm="oidcrs"`},
		{"bad token", "/auth", "Bearer unknown", core.ErrInvalidToken, http.StatusUnauthorized, "Introspected user is not active",
			`Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"`},
		{"missing scope", "/scope", "Bearer " + as.Mint(nil), core.ErrInsufficientScope, http.StatusForbidden,
			"The request requires higher privileges than provided by the access token.",
			`Bearer realm="oidcrs", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="groups admin"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			w := adaptertest.Get(e, tc.path, tc.auth)
			assert.Equal(t, http.StatusTeapot, w.Code)
			assert.Equal(t, tc.challenge, w.Header().Get("WWW-Authenticate"))
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			require.ErrorIs(t, got, tc.kind)
			var he *echo.HTTPError
			require.ErrorAs(t, got, &he)
			assert.Equal(t, tc.status, he.Code)
			assert.Equal(t, tc.desc, he.Message)
			assert.Equal(t, tc.status, echo.StatusCode(got))
		})
	}
}

// TestProblemDetails checks the answer rendered by Echo's RFC 9457
// handler, exposing errors: the status and the fixed description only.
func TestProblemDetails(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	e := echo.New()
	e.HTTPErrorHandler = echo.ProblemDetailsHTTPErrorHandler(true)
	e.GET("/auth", ok, echov5rs.Middleware(rs))
	w := adaptertest.Get(e, "/auth", "Bearer unknown")
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, "application/problem+json", w.Header().Get("Content-Type"))
	assert.Equal(t, `Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"`,
		w.Header().Get("WWW-Authenticate"))
	assert.JSONEq(t, `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"Introspected user is not active"}`,
		w.Body.String())
}

func TestConfig(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	var handled error
	reached := false
	e := echo.New()
	handler := func(c *echo.Context) error { reached = true; return ok(c) }
	e.GET("/custom", handler, echov5rs.MiddlewareWithConfig(echov5rs.Config{ResourceServer: rs,
		ErrorHandler: func(c *echo.Context, err error) error {
			handled = err
			return c.String(http.StatusUnauthorized, "custom")
		}}))
	e.GET("/swallow", handler, echov5rs.MiddlewareWithConfig(echov5rs.Config{ResourceServer: rs,
		ErrorHandler: func(*echo.Context, error) error { return nil }}))
	e.GET("/never-skipped", handler, echov5rs.MiddlewareWithConfig(echov5rs.Config{ResourceServer: rs,
		Skipper: func(*echo.Context) bool { return false }}))
	mw, err := echov5rs.Config{ResourceServer: rs, Optional: true}.ToMiddleware()
	require.NoError(t, err)
	e.GET("/configured", handler, mw)

	for _, tc := range []struct {
		name, path, auth string
		status           int
		body             string
		reached          bool
		handled          error
	}{
		{"the ErrorHandler renders", "/custom", "Bearer unknown", http.StatusUnauthorized, "custom", false, core.ErrInvalidToken},
		{"the ErrorHandler sees malformed headers", "/custom", "Bearer ", http.StatusUnauthorized, "custom", false, core.ErrInvalidRequest},
		{"a nil from the ErrorHandler never lets the request on", "/swallow", "Bearer unknown", http.StatusOK, "", false, nil},
		{"a false skipper still authenticates", "/never-skipped", "", http.StatusUnauthorized, "", false, nil},
		{"an accepted token reaches the handler", "/never-skipped", "Bearer " + as.Mint(nil), http.StatusOK, "ok", true, nil},
		{"ToMiddleware's optional mode", "/configured", "", http.StatusOK, "ok", true, nil},
		{"ToMiddleware still rejects a bad token", "/configured", "Bearer unknown", http.StatusUnauthorized, "", false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handled, reached = nil, false
			w := adaptertest.Get(e, tc.path, tc.auth)
			assert.Equal(t, tc.status, w.Code)
			if tc.body != "" {
				assert.Equal(t, tc.body, w.Body.String())
			}
			assert.Equal(t, tc.reached, reached)
			if tc.handled != nil {
				assert.True(t, errors.Is(handled, tc.handled), "ErrorHandler got %v", handled)
			}
		})
	}
}

// TestRegisterRoutesMetadata checks the RFC 9728 metadata route, mounted
// with Settings.Resource, and the scopes RequireScopes advertises in it.
func TestRegisterRoutesMetadata(t *testing.T) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	st := as.Settings("")
	st.Resource = "https://api.example/v1"
	rs, err := core.New(st)
	require.NoError(t, err)
	e := echo.New()
	echov5rs.RegisterRoutes(e, rs)
	e.GET("/v1/admin", ok, echov5rs.Middleware(rs), echov5rs.RequireScopes(rs, core.AnyScope("admin")))

	require.Equal(t, "/.well-known/oauth-protected-resource/v1", rs.MetadataPath())
	w := adaptertest.Get(e, rs.MetadataPath(), "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var doc struct {
		Resource string   `json:"resource"`
		Scopes   []string `json:"scopes_supported"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
	assert.Equal(t, st.Resource, doc.Resource)
	assert.Contains(t, doc.Scopes, "admin")

	// Without a resource there is no metadata route.
	_, plain := adaptertest.StartResourceServer(t)
	e = echo.New()
	echov5rs.RegisterRoutes(e, plain)
	assert.Empty(t, plain.MetadataPath())
	assert.Equal(t, http.StatusNotFound, adaptertest.Get(e, "/.well-known/oauth-protected-resource", "").Code)
}
