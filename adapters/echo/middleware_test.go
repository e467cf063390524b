package echors_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/adapters/echo"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

func ok(c echo.Context) error { return c.String(http.StatusOK, "ok") }

func TestRegisterRoutesDefaultPath(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	e := echo.New()
	echors.RegisterRoutes(e.Group("/keys"), rs, nil)
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
// resource server never starts serving, rather than answering 500.
func TestNilResourceServerPanicsAtSetup(t *testing.T) {
	for _, tc := range []struct {
		name, fn string
		setup    func()
	}{
		{"Middleware", "Middleware", func() { echors.Middleware(nil) }},
		{"MiddlewareWithConfig", "MiddlewareWithConfig", func() { echors.MiddlewareWithConfig(echors.Config{Optional: true}) }},
		{"RequireScopes", "RequireScopes", func() { echors.RequireScopes(nil, core.AnyScope("admin")) }},
		{"RegisterRoutes", "RegisterRoutes", func() { echors.RegisterRoutes(echo.New(), nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, "echors: "+tc.fn+" with a nil *core.ResourceServer", tc.setup)
		})
	}
}

// TestRegisterRoutesWithoutKey checks that a resource server without a
// private key still gets its /jwks route, which answers the reference's
// 500.
func TestRegisterRoutesWithoutKey(t *testing.T) {
	e := echo.New()
	echors.RegisterRoutes(e, core.Disabled(core.Settings{}, nil))
	w := adaptertest.Get(e, "/jwks", "")
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`, w.Body.String())
}

// TestErrorsReachTheApplication checks what an application's error
// handling gets: an *echo.HTTPError matching the core sentinels, with
// the challenge already on the response.
func TestErrorsReachTheApplication(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	var got error
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		got = err
		_ = c.String(http.StatusTeapot, "rendered by the application")
	}
	e.GET("/auth", ok, echors.Middleware(rs))
	e.GET("/scope", ok, echors.Middleware(rs), echors.RequireScopes(rs, core.AllScopes("admin")))

	for _, tc := range []struct {
		name, path, auth string
		kind             error
		status           int
		challenge        string
	}{
		{"no token", "/auth", "", core.ErrMissingToken, http.StatusUnauthorized, `Bearer realm="oidcrs"`},
		{"bad token", "/auth", "Bearer unknown", core.ErrInvalidToken, http.StatusUnauthorized,
			`Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"`},
		{"missing scope", "/scope", "Bearer " + as.Mint(nil), core.ErrInsufficientScope, http.StatusForbidden,
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
			body, isBody := he.Message.(core.ErrorBody)
			require.True(t, isBody)
			assert.NotEmpty(t, body.Description)
		})
	}
}

func TestConfig(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	var handled error
	reached := false
	e := echo.New()
	handler := func(c echo.Context) error { reached = true; return ok(c) }
	e.GET("/custom", handler, echors.MiddlewareWithConfig(echors.Config{ResourceServer: rs,
		ErrorHandler: func(c echo.Context, err error) error {
			handled = err
			return c.String(http.StatusUnauthorized, "custom")
		}}))
	e.GET("/swallow", handler, echors.MiddlewareWithConfig(echors.Config{ResourceServer: rs,
		ErrorHandler: func(echo.Context, error) error { return nil }}))
	e.GET("/never-skipped", handler, echors.MiddlewareWithConfig(echors.Config{ResourceServer: rs,
		Skipper: func(echo.Context) bool { return false }}))

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
