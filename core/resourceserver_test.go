package core_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// New and the decision it builds: one complete decision per entry point,
// every bad setting reported at start-up, a misconfigured or nil server
// failing closed, and a cache hit's allocation budget.

// TestAuthenticateRunsTheUserHook: the one public entry point makes the
// whole decision, user hook included (before, Authenticate skipped it and
// accepted a token without sub).
func TestAuthenticateRunsTheUserHook(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var calls int
	rs := btRS(t, as, nil, core.WithUserLookup(func(_ context.Context, ti *core.TokenInfo) (any, error) {
		calls++
		return "user:" + ti.Subject, nil
	}))
	ctx, err := rs.Authenticate(context.Background(), []string{"Bearer " + as.Mint(nil)})
	require.NoError(t, err)
	u, ok := core.UserFromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, "user:"+oidcrstest.DefaultSubject, u)
	assert.Equal(t, 1, calls)

	_, err = rs.Authenticate(context.Background(), []string{"Bearer " + as.Mint(map[string]any{"sub": nil})})
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNoSubject)
	assert.Equal(t, 1, calls, "no hook call without sub")
}

// TestNilResourceServer: a nil server fails closed at run time and panics
// at setup, as http.Handle does with a nil handler.
func TestNilResourceServer(t *testing.T) {
	t.Parallel()
	var rs *core.ResourceServer
	_, err := rs.Authenticate(context.Background(), []string{"Bearer abc"})
	require.ErrorIs(t, err, core.ErrMisconfigured)
	assert.Equal(t, http.StatusUnauthorized, rs.ErrorResponse(err).Status)
	assert.Equal(t, `Bearer realm="oidcrs"`, rs.ErrorResponse(err).WWWAuthenticate)
	rec := httptest.NewRecorder()
	rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Panics(t, func() { rs.Middleware() })
	assert.Panics(t, func() { rs.RequireScopes(core.AnyScope("a")) })
	assert.Equal(t, "core.ResourceServer(nil)", rs.String())
}

// authenticate runs rs.Authenticate on one Authorization header value and
// returns the TokenInfo it put in the context.
func authenticate(rs *core.ResourceServer, ctx context.Context, header string) (*core.TokenInfo, error) {
	out, err := rs.Authenticate(ctx, []string{header})
	if err != nil {
		if out != ctx {
			return nil, errors.New("Authenticate returned a new context with its error")
		}
		return nil, err
	}
	ti, ok := core.FromContext(out)
	if !ok {
		return nil, errors.New("Authenticate succeeded without a TokenInfo in the context")
	}
	return ti, nil
}

// TestNewReportsEveryProblem checks that New fails with one error that
// names every bad setting, and never panics.
func TestNewReportsEveryProblem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		st    core.Settings
		names []string
	}{
		{"zero settings", core.Settings{}, []string{"OIDC_RS_BACKEND_CLASS", "OIDC_RS_CLIENT_ID", "OIDC_RS_CLIENT_SECRET",
			"OIDC_OP_URL", "OIDC_RS_SCOPES"}},
		{"JWT backend alone", core.Settings{Backend: core.BackendJWT}, []string{"OIDC_RS_SIGNING_ALGO",
			"OIDC_RS_ENCRYPTION_ENCODING", "OIDC_RS_PRIVATE_KEY_STR", "OIDC_RS_ENCRYPTION_ALGO", "OIDC_RS_CLIENT_ID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rs *core.ResourceServer
			var err error
			require.NotPanics(t, func() { rs, err = core.New(tc.st) })
			require.Nil(t, rs)
			require.Error(t, err)
			for _, n := range tc.names {
				assert.Contains(t, err.Error(), n)
			}
		})
	}
}

// TestDisabled checks that a misconfigured resource server fails closed
// and logs its reason once.
func TestDisabled(t *testing.T) {
	t.Parallel()
	reason := errors.New("OIDC_OP_URL: is required")
	logger, sink := btLogger()
	rs := core.Disabled(core.Settings{Realm: "api"}, reason, core.WithLogger(logger))
	srv := btServe(t, rs)
	for _, tc := range []struct {
		name    string
		headers []string
		status  int
		www     string
		desc    string
	}{
		{"bearer token", []string{"Bearer abc"}, http.StatusUnauthorized, `Bearer realm="api"`, core.DescMisconfigured},
		{"another bearer token", []string{"Bearer def"}, http.StatusUnauthorized, `Bearer realm="api"`, core.DescMisconfigured},
		{"no token", nil, http.StatusUnauthorized, `Bearer realm="api"`, core.DescMissingToken},
		{"malformed header", []string{"Bearer"}, http.StatusBadRequest,
			`Bearer realm="api", error="invalid_request", error_description="Invalid Authorization header."`, core.DescMalformedHeader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := btGet(t, srv.URL, tc.headers...)
			assert.Equal(t, tc.status, resp.StatusCode)
			assert.Equal(t, tc.www, resp.Header.Get("WWW-Authenticate"))
			assert.Equal(t, tc.desc, btErrorBody(t, body)["error_description"])
		})
	}
	t.Run("errors", func(t *testing.T) {
		_, err := authenticate(rs, context.Background(), "Bearer abc")
		require.ErrorIs(t, err, core.ErrMisconfigured)
		assert.False(t, core.IsAnonymous(err))
		_, err = authenticate(rs, context.Background(), "")
		require.ErrorIs(t, err, core.ErrMissingToken)
		assert.True(t, core.IsAnonymous(err))
	})
	t.Run("reason logged once", func(t *testing.T) {
		var found int
		for _, r := range sink.records(t) {
			if r["reason"] == reason.Error() {
				found++
				assert.Equal(t, "ERROR", r["level"])
			}
		}
		assert.Equal(t, 1, found, "the reason is logged once, however many requests: %s", sink.String())
	})
	t.Run("nil reason and bad realm", func(t *testing.T) {
		rs := core.Disabled(core.Settings{Realm: "bad\"realm"}, nil)
		_, err := authenticate(rs, context.Background(), "Bearer abc")
		require.ErrorIs(t, err, core.ErrMisconfigured)
		assert.Equal(t, `Bearer realm="oidcrs"`, rs.ErrorResponse(err).WWWAuthenticate)
	})
	t.Run("serves JWKS from a usable key", func(t *testing.T) {
		rs := core.Disabled(core.Settings{PrivateKey: btKey(t, btECKey), EncryptionAlgorithm: "ECDH-ES"}, reason)
		rec := httptest.NewRecorder()
		rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Contains(t, rec.Body.String(), `"use":"enc"`)
	})
}

// TestHotPathAllocations pins the allocation budget of a cache hit: none
// to extract, hash and look up the token, at most 3 for the middleware
// (it makes 2: the context value and the request copy).
func TestHotPathAllocations(t *testing.T) {
	for _, tc := range []struct {
		name, token string
		allocs      float64
	}{
		{name: "opaque", token: benchOpaqueToken},
		{name: "JWT-shaped", token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl"},
		{name: "base64 of binary", token: strings.Repeat("a1b2c3d4", 100)},
		{name: "base64 of text", token: base64.StdEncoding.EncodeToString([]byte(benchOpaqueToken)), allocs: 1},
	} {
		t.Run("ExtractToken "+tc.name, func(t *testing.T) {
			hdr := "Bearer " + tc.token
			assert.Equal(t, tc.allocs, testing.AllocsPerRun(100, func() { _, _ = core.ExtractToken(hdr) }))
		})
	}
	as, rs := startPerf(t, perfSetup{})
	as.SetAnswer(benchOpaqueToken, benchAnswer(as))
	ctx, hdr := context.Background(), "Bearer "+benchOpaqueToken
	_, err := authenticate(rs, ctx, hdr)
	require.NoError(t, err)
	t.Run("Authenticate", func(t *testing.T) {
		// One allocation: the context that carries the TokenInfo.
		hdrs := []string{hdr}
		assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { _, _ = rs.Authenticate(ctx, hdrs) }))
	})
	t.Run("token check alone", func(t *testing.T) {
		tok, err := core.ExtractToken(hdr)
		require.NoError(t, err)
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = core.Verify(ctx, rs, tok) }))
	})
	t.Run("Middleware", func(t *testing.T) {
		h := rs.Middleware()(benchHandler)
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/items", nil)
		req.Header.Set("Authorization", hdr)
		w := httptest.NewRecorder()
		assert.LessOrEqual(t, testing.AllocsPerRun(100, func() { h.ServeHTTP(w, req) }), 3.0)
		assert.Equal(t, http.StatusNoContent, w.Code)
	})
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}
