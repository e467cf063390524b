package core_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

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

// TestLogging checks levels and that no record carries the token, the
// secret, the key or the Authorization header, in both backends.
func TestLogging(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			logger, sink := btLogger()
			rs := btRS(t, as, nil, core.WithLogger(logger))
			pemText := btKey(t, btRSAKeyA)
			good, inactive, noScope := as.Mint(nil), as.Mint(map[string]any{"active": false}), as.Mint(map[string]any{"scope": "x"})
			failing := as.Mint(nil)
			headers := []string{"Bearer " + good, "Bearer " + inactive, "Bearer " + noScope, "Bearer " + good + " extra",
				"Bearer " + base64.StdEncoding.EncodeToString([]byte(good))}
			for _, h := range headers {
				_, _ = authenticate(rs, context.Background(), h)
			}
			debugs := len(sink.records(t))
			as.SetFault(&oidcrstest.FaultServerError)
			_, err := btAuth(rs, failing)
			require.ErrorIs(t, err, core.ErrUnavailable)

			recs := sink.records(t)
			require.Greater(t, len(recs), debugs)
			require.GreaterOrEqual(t, debugs, 3, "inactive, scope and malformed rejections are logged")
			for _, r := range recs[:debugs] {
				assert.Equal(t, "DEBUG", r["level"], "client-caused rejections at Debug: %v", r)
			}
			assert.Equal(t, 1, btCount(recs[debugs:], "WARN"), "an authorization server failure: one Warn, the state change")
			assert.Contains(t, sink.String(), "introspection is failing")

			out := sink.String()
			forbidden := append([]string{good, inactive, noScope, failing, oidcrstest.DefaultClientSecret, "Bearer ", "PRIVATE KEY"},
				btKeyMaterial(pemText)...)
			for _, f := range forbidden {
				assert.NotContains(t, out, f)
			}
		})
	}
	t.Run("JWT answer failures at Warn", func(t *testing.T) {
		t.Parallel()
		as := btAS(t, oidcrstest.JWT)
		logger, sink := btLogger()
		rs := btRS(t, as, nil, core.WithLogger(logger))
		p := btJWT{t: t, as: as}
		body := p.encryptTo(p.sign(p.outer(nil), nil), btKey(t, btRSAKeyB), "", jose.RSA_OAEP, jose.A256GCM, nil, false)
		btAnswer(as, http.StatusOK, "application/token-introspection+jwt", []byte(body))
		tok := as.Mint(nil)
		_, err := btAuth(rs, tok)
		require.ErrorIs(t, err, core.ErrBadResponse)
		assert.Equal(t, 1, btCount(sink.records(t), "WARN"))
		assert.Contains(t, sink.String(), `"failure":"untrusted"`)
		assert.NotContains(t, sink.String(), tok)
	})
}

// btCount counts the records at level.
func btCount(recs []map[string]any, level string) int {
	n := 0
	for _, r := range recs {
		if r["level"] == level {
			n++
		}
	}
	return n
}

// btLevels returns the distinct levels of recs, in order of appearance.
func btLevels(recs []map[string]any) []string {
	var out []string
	for _, r := range recs {
		l, _ := r["level"].(string)
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}
