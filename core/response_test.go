package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestErrorResponse checks the mapping of every error kind to its HTTP
// answer, and that a cause never reaches the client.
func TestErrorResponse(t *testing.T) {
	t.Parallel()
	const cause = "cause-with-internal-detail-42"
	e := func(kind error, desc string) error {
		return core.NewError(kind, desc, "", "", errors.New(cause))
	}
	rs := core.Disabled(core.Settings{Realm: "api"}, nil)
	for _, tc := range []struct {
		name       string
		err        error
		status     int
		www, code  string
		desc       string
		retryAfter string
	}{
		{name: "missing token", err: e(core.ErrMissingToken, core.DescMissingToken), status: http.StatusUnauthorized,
			www: `Bearer realm="api"`, code: "unauthorized", desc: core.DescMissingToken},
		{name: "misconfigured", err: e(core.ErrMisconfigured, core.DescMisconfigured), status: http.StatusUnauthorized,
			www: `Bearer realm="api"`, code: "unauthorized", desc: core.DescMisconfigured},
		{name: "invalid request", err: e(core.ErrInvalidRequest, core.DescMalformedHeader), status: http.StatusBadRequest,
			www:  `Bearer realm="api", error="invalid_request", error_description="Invalid Authorization header."`,
			code: "invalid_request", desc: core.DescMalformedHeader},
		{name: "invalid token", err: e(core.ErrInvalidToken, core.DescInactive), status: http.StatusUnauthorized,
			www:  `Bearer realm="api", error="invalid_token", error_description="Introspected user is not active"`,
			code: "invalid_token", desc: core.DescInactive},
		{name: "insufficient scope", err: core.NewError(core.ErrInsufficientScope, core.DescScopesMismatch, "groups email", "", nil),
			status: http.StatusForbidden,
			www:    `Bearer realm="api", error="insufficient_scope", error_description="Introspection response is missing required scopes.", scope="groups email"`,
			code:   "insufficient_scope", desc: core.DescScopesMismatch},
		{name: "unavailable", err: core.NewError(core.ErrUnavailable, core.DescFetchFailed, "", "7", nil),
			status: http.StatusServiceUnavailable, code: "temporarily_unavailable", desc: core.DescFetchFailed, retryAfter: "7"},
		{name: "bad response", err: e(core.ErrBadResponse, core.DescDecryptionFailed), status: http.StatusBadGateway,
			code: "server_error", desc: core.DescDecryptionFailed},
		{name: "wrapped *Error", err: fmt.Errorf("handler: %w", e(core.ErrInvalidToken, core.DescExpired)), status: http.StatusUnauthorized,
			www: `Bearer realm="api", error="invalid_token", error_description="Token has expired."`, code: "invalid_token", desc: core.DescExpired},
		{name: "plain error", err: errors.New(cause), status: http.StatusInternalServerError, code: "server_error", desc: core.DescInternal},
		{name: "unknown kind", err: e(errors.New("other"), "x"), status: http.StatusInternalServerError, code: "server_error", desc: core.DescInternal},
		{name: "nil", err: nil, status: http.StatusInternalServerError, code: "server_error", desc: core.DescInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := rs.ErrorResponse(tc.err)
			assert.Equal(t, tc.status, resp.Status)
			assert.Equal(t, tc.www, resp.WWWAuthenticate)
			assert.Equal(t, core.ErrorBody{Error: tc.code, Description: tc.desc}, resp.Body)
			assert.Equal(t, tc.retryAfter, resp.RetryAfter)

			rec := httptest.NewRecorder()
			resp.Write(rec)
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.www, rec.Header().Get("WWW-Authenticate"))
			assert.Equal(t, tc.retryAfter, rec.Header().Get("Retry-After"))
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			assert.Equal(t, map[string]string{"error": tc.code, "error_description": tc.desc}, btErrorBody(t, rec.Body.String()))
			assert.NotContains(t, rec.Body.String(), cause)
			assert.NotContains(t, resp.WWWAuthenticate, cause)
		})
	}
}

// TestErrorMatching checks errors.Is on the sentinels and the cause, and
// errors.As to *Error, on errors returned by Authenticate.
func TestErrorMatching(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, nil)
	_, inactive := btAuth(rs, "revoked-token")
	_, missing := authenticate(rs, context.Background(), "")
	as.SetFault(&oidcrstest.FaultServerError)
	_, down := btAuth(rs, as.Mint(nil))
	for _, tc := range []struct {
		name string
		err  error
		kind error
	}{
		{"inactive", inactive, core.ErrInvalidToken},
		{"missing", missing, core.ErrMissingToken},
		{"AS failure", down, core.ErrUnavailable},
		{"AS failure wrapped", fmt.Errorf("app: %w", down), core.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.ErrorIs(t, tc.err, tc.kind)
			for _, other := range []error{core.ErrMissingToken, core.ErrInvalidRequest, core.ErrInvalidToken,
				core.ErrInsufficientScope, core.ErrUnavailable, core.ErrBadResponse, core.ErrMisconfigured} {
				if other != tc.kind {
					assert.NotErrorIs(t, tc.err, other)
				}
			}
			kind, _, _, ours := core.ErrorParts(tc.err)
			require.True(t, ours)
			assert.Equal(t, tc.kind, kind)
			assert.Contains(t, tc.err.Error(), tc.kind.Error(), "Error() names the kind, for logs")
		})
	}
	t.Run("cause is matched too", func(t *testing.T) {
		t.Parallel()
		cause := errors.New("db down")
		err := core.NewError(core.ErrUnavailable, core.DescFetchFailed, "", "", cause)
		assert.ErrorIs(t, err, cause)
		assert.ErrorIs(t, err, core.ErrUnavailable)
	})
}

// TestAuthorizationServerFailures checks that every failure of the
// authorization server is 503 (or the upstream 401 when the AS says so),
// never invalid_token, in both backends.
func TestAuthorizationServerFailures(t *testing.T) {
	t.Parallel()
	wwwAuth := http.Header{"WWW-Authenticate": {`Bearer error="invalid_token", error_description="Header says expired"`}}
	for _, mode := range btModes {
		for _, tc := range []struct {
			name       string
			fault      *oidcrstest.Fault
			edit       func(*core.Settings)
			kind       error
			desc       string
			retryAfter string
		}{
			{name: "401 with WWW-Authenticate passes the upstream description on",
				fault: &oidcrstest.Fault{Status: 401, Header: wwwAuth, ContentType: "application/json",
					Body: []byte(`{"error":"invalid_token","error_description":"Token revoked by admin"}`)},
				kind: core.ErrInvalidToken, desc: "Token revoked by admin"},
			{name: "401 with WWW-Authenticate, description from the header",
				fault: &oidcrstest.Fault{Status: 401, Header: wwwAuth}, kind: core.ErrInvalidToken, desc: "Header says expired"},
			{name: "401 with WWW-Authenticate, unsafe description replaced",
				fault: &oidcrstest.Fault{Status: 401, Header: http.Header{"WWW-Authenticate": {`Bearer`}}, ContentType: "application/json",
					Body: []byte(`{"error_description":"evil \" quote"}`)},
				kind: core.ErrInvalidToken, desc: core.DescUpstreamRejected},
			{name: "401 without WWW-Authenticate", fault: &oidcrstest.Fault{Status: 401, ContentType: "application/json",
				Body: []byte(`{"error":"invalid_client","error_description":"bad client"}`)}, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "401 with a Basic challenge: our credentials were refused",
				fault: &oidcrstest.Fault{Status: 401, Header: http.Header{"WWW-Authenticate": {`Basic realm="as"`}}},
				kind:  core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "401 with WWW-Authenticate and invalid_client: our credentials were refused",
				fault: &oidcrstest.Fault{Status: 401, Header: wwwAuth, ContentType: "application/json",
					Body: []byte(`{"error":"invalid_client","error_description":"client authentication failed"}`)},
				kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "wrong client secret", edit: func(s *core.Settings) { s.ClientSecret = "wrong" }, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "500", fault: &oidcrstest.FaultServerError, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "502", fault: &oidcrstest.Fault{Status: 502}, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "503 with Retry-After", fault: &oidcrstest.Fault{Status: 503, Header: http.Header{"Retry-After": {"30"}}},
				kind: core.ErrUnavailable, desc: core.DescFetchFailed, retryAfter: "30"},
			{name: "429 with Retry-After", fault: &oidcrstest.FaultTooManyRequests, kind: core.ErrUnavailable, desc: core.DescFetchFailed, retryAfter: "7"},
			{name: "429 with a malformed Retry-After", fault: &oidcrstest.Fault{Status: 429, Header: http.Header{"Retry-After": {"soon"}}},
				kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "400", fault: &oidcrstest.Fault{Status: 400}, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "404", fault: &oidcrstest.Fault{Status: 404}, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "redirect not followed", fault: &oidcrstest.Fault{Status: 302, Header: http.Header{"Location": {"/introspect"}}},
				kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "connection dropped", fault: &oidcrstest.FaultDown, kind: core.ErrUnavailable, desc: core.DescFetchFailed},
			{name: "server closed", edit: func(s *core.Settings) { s.IntrospectionEndpoint = btClosedURL() + "/introspect" },
				kind: core.ErrUnavailable, desc: core.DescFetchFailed},
		} {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				as := btAS(t, mode)
				rs := btRS(t, as, tc.edit)
				as.SetFault(tc.fault)
				tok := as.Mint(nil)
				_, err := btAuth(rs, tok)
				status := map[error]int{core.ErrInvalidToken: http.StatusUnauthorized, core.ErrUnavailable: http.StatusServiceUnavailable}[tc.kind]
				resp := btRejected(t, rs, err, tc.kind, status, tc.desc)
				assert.Equal(t, tc.retryAfter, resp.RetryAfter)
				if tc.kind != core.ErrInvalidToken {
					btNotInvalidToken(t, err)
					assert.Empty(t, resp.WWWAuthenticate)
				}
				// Through the middleware too: the headers reach the client.
				// A Retry-After paused the calls: this request is refused
				// without one, with what remains of the pause.
				got, body := btGet(t, btServe(t, rs).URL, "Bearer "+tok)
				assert.Equal(t, status, got.StatusCode)
				if tc.retryAfter == "" {
					assert.Equal(t, tc.retryAfter, got.Header.Get("Retry-After"))
					assert.Equal(t, tc.desc, btErrorBody(t, body)["error_description"])
					return
				}
				left, err := strconv.Atoi(got.Header.Get("Retry-After"))
				require.NoError(t, err)
				want, _ := strconv.Atoi(tc.retryAfter)
				assert.True(t, left >= 1 && left <= want, "Retry-After %d of %d", left, want)
				assert.Equal(t, core.DescASPaused, btErrorBody(t, body)["error_description"])
			})
		}
	}
}

// btClosedURL returns the URL of a server that has stopped listening.
func btClosedURL() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}
