package core_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestExtractToken covers RFC 6750 header parsing and the reference's
// base64 rule.
func TestExtractToken(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	long := strings.Repeat("a", core.MaxHeaderLength-len("Bearer "))
	for _, tc := range []struct {
		name, header, want string
		kind               error
	}{
		{name: "plain", header: "Bearer abc", want: "abc"},
		{name: "scheme lowercase", header: "bearer abc", want: "abc"},
		{name: "scheme uppercase", header: "BEARER abc", want: "abc"},
		{name: "scheme mixed case", header: "BeArEr abc", want: "abc"},
		{name: "several spaces", header: "Bearer   abc", want: "abc"},
		{name: "all b64token characters", header: "Bearer aZ09-._~+/==", want: "aZ09-._~+/=="},
		{name: "padded base64 of UTF-8 is decoded", header: "Bearer " + b64([]byte("hello world")), want: "hello world"},
		{name: "base64 of multibyte UTF-8 is decoded", header: "Bearer " + b64([]byte("jeton-été")), want: "jeton-été"},
		{name: "base64 of invalid UTF-8 is kept", header: "Bearer " + b64([]byte{0xff, 0xfe, 0xfd}), want: b64([]byte{0xff, 0xfe, 0xfd})},
		{name: "unpadded base64 is kept", header: "Bearer aGVsbG8", want: "aGVsbG8"},
		{name: "standard alphabet with plus is decoded", header: "Bearer fn5+", want: "~~~"},
		{name: "URL-safe alphabet is kept", header: "Bearer fn5-", want: "fn5-"},
		{name: "non-canonical padding bits are kept", header: "Bearer aGl=", want: "aGl="},
		{name: "JWT-like token is kept", header: "Bearer eyJh.eyJi.c2ln", want: "eyJh.eyJi.c2ln"},
		{name: "exactly the maximum length", header: "Bearer " + long, want: long},
		{name: "no header", header: "", kind: core.ErrMissingToken},
		{name: "Basic scheme", header: "Basic dXNlcjpwYXNz", kind: core.ErrMissingToken},
		{name: "scheme glued to token", header: "Bearerabc", kind: core.ErrMissingToken},
		{name: "Bearer alone", header: "Bearer", kind: core.ErrInvalidRequest},
		{name: "Bearer and a space", header: "Bearer ", kind: core.ErrInvalidRequest},
		{name: "two tokens", header: "Bearer abc def", kind: core.ErrInvalidRequest},
		{name: "trailing space", header: "Bearer abc ", kind: core.ErrInvalidRequest},
		{name: "comma", header: "Bearer abc,def", kind: core.ErrInvalidRequest},
		{name: "quote", header: `Bearer "abc"`, kind: core.ErrInvalidRequest},
		{name: "equals inside", header: "Bearer ab=c", kind: core.ErrInvalidRequest},
		{name: "only equals", header: "Bearer ==", kind: core.ErrInvalidRequest},
		{name: "non-ASCII", header: "Bearer jeton-été", kind: core.ErrInvalidRequest},
		{name: "control character", header: "Bearer abc\x00", kind: core.ErrInvalidRequest},
		{name: "over 8 KiB", header: "Bearer " + long + "a", kind: core.ErrInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := core.ExtractToken(tc.header)
			if tc.kind == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.ErrorIs(t, err, tc.kind)
			assert.Empty(t, got)
			resp := core.Disabled(core.Settings{Realm: "api"}, nil).ErrorResponse(err)
			if tc.kind == core.ErrMissingToken {
				assert.Equal(t, http.StatusUnauthorized, resp.Status)
				assert.Equal(t, `Bearer realm="api"`, resp.WWWAuthenticate, "a bare challenge, no error code")
				return
			}
			assert.Equal(t, http.StatusBadRequest, resp.Status)
			assert.Equal(t, "invalid_request", resp.Body.Error)
			assert.Contains(t, resp.WWWAuthenticate, `error="invalid_request"`)
		})
	}
}

// TestBearerEndToEnd sends Authorization headers through the net/http
// middleware to a resource server backed by the kit, in both backends.
func TestBearerEndToEnd(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			srv := btServe(t, btRS(t, as, nil))
			tok := as.Mint(nil)
			jwtLike := "aaa.bbb.ccc"
			as.SetAnswer(jwtLike, map[string]any{"active": true, "iss": as.URL, "scope": "groups", "client_id": "sp-jwt", "sub": "jwt-user"})
			for _, tc := range []struct {
				name    string
				headers []string
				status  int
				body    string
				www     string
			}{
				{name: "token", headers: []string{"Bearer " + tok}, status: http.StatusOK, body: "user-1 sp-client"},
				{name: "base64 of the token", headers: []string{"Bearer " + base64.StdEncoding.EncodeToString([]byte(tok))},
					status: http.StatusOK, body: "user-1 sp-client"},
				{name: "lowercase scheme", headers: []string{"bearer " + tok}, status: http.StatusOK, body: "user-1 sp-client"},
				{name: "JWT-like token used as is", headers: []string{"Bearer " + jwtLike}, status: http.StatusOK, body: "jwt-user sp-jwt"},
				{name: "unknown token", headers: []string{"Bearer unknown"}, status: http.StatusUnauthorized,
					www: `Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"`},
				{name: "no header", status: http.StatusUnauthorized, www: `Bearer realm="oidcrs"`},
				{name: "Basic scheme", headers: []string{"Basic dXNlcjpwYXNz"}, status: http.StatusUnauthorized, www: `Bearer realm="oidcrs"`},
				{name: "Bearer alone", headers: []string{"Bearer"}, status: http.StatusBadRequest,
					www: `Bearer realm="oidcrs", error="invalid_request", error_description="Invalid Authorization header."`},
				{name: "two headers", headers: []string{"Bearer " + tok, "Bearer " + tok}, status: http.StatusBadRequest},
				{name: "over 8 KiB", headers: []string{"Bearer " + strings.Repeat("a", 8<<10)}, status: http.StatusBadRequest},
			} {
				t.Run(tc.name, func(t *testing.T) {
					before := as.IntrospectionCalls()
					resp, body := btGet(t, srv.URL, tc.headers...)
					require.Equal(t, tc.status, resp.StatusCode, body)
					if tc.status == http.StatusOK {
						assert.Equal(t, tc.body, body)
						return
					}
					if tc.www != "" {
						assert.Equal(t, tc.www, resp.Header.Get("WWW-Authenticate"))
					}
					assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
					assert.NotContains(t, body, tok)
					if tc.status != http.StatusUnauthorized || tc.www == `Bearer realm="oidcrs"` {
						assert.Equal(t, before, as.IntrospectionCalls(), "a request without a usable token never reaches the authorization server")
					}
				})
			}
		})
	}
}

// TestAuthenticateRequestHeaders checks AuthenticateRequest directly:
// two Authorization headers are a malformed request.
func TestAuthenticateRequestHeaders(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, nil)
	tok := as.Mint(nil)
	for _, tc := range []struct {
		name    string
		headers []string
		kind    error
	}{
		{"one header", []string{"Bearer " + tok}, nil},
		{"two identical headers", []string{"Bearer " + tok, "Bearer " + tok}, core.ErrInvalidRequest},
		{"a good and a bad header", []string{"Bearer " + tok, "Basic eA=="}, core.ErrInvalidRequest},
		{"no header", nil, core.ErrMissingToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := http.NewRequest(http.MethodGet, "http://rs.example/", nil)
			require.NoError(t, err)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			ctx, err := rs.Authenticate(r.Context(), r.Header["Authorization"])
			if tc.kind == nil {
				require.NoError(t, err)
				ti, ok := core.FromContext(ctx)
				require.True(t, ok)
				assert.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
				return
			}
			require.ErrorIs(t, err, tc.kind)
			assert.Equal(t, r.Context(), ctx, "a failure returns the caller's context")
			_, ok := core.FromContext(ctx)
			assert.False(t, ok)
			assert.Equal(t, tc.kind == core.ErrMissingToken, core.IsAnonymous(err))
		})
	}
}

// TestInvalidRequestCausesAreDistinct: one answer to the client, a
// distinct cause in the log for each kind of malformed header (before, four
// identical values).
func TestInvalidRequestCausesAreDistinct(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	logger, sink := btLogger()
	rs := btRS(t, as, nil, core.WithLogger(logger))
	long := strings.Repeat("a", core.MaxHeaderLength)
	cases := []struct {
		headers []string
		cause   error
	}{
		{[]string{"Bearer "}, core.ErrCauseEmptyToken},
		{[]string{"Bearer " + long}, core.ErrCauseTooLong},
		{[]string{"Bearer abc%def"}, core.ErrCauseBadChar},
		{[]string{"Bearer abc def"}, core.ErrCauseTwoTokens},
		{[]string{"Bearer abc", "Bearer def"}, core.ErrCauseManyHeaders},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		_, err := rs.Authenticate(context.Background(), c.headers)
		require.ErrorIs(t, err, core.ErrInvalidRequest)
		require.ErrorIs(t, err, c.cause)
		resp := rs.ErrorResponse(err)
		assert.Equal(t, http.StatusBadRequest, resp.Status)
		assert.Equal(t, core.DescMalformedHeader, resp.Body.Description, "the client sees one fixed text")
		assert.False(t, seen[err.Error()], "cause %q repeats", err.Error())
		seen[err.Error()] = true
	}
	logged := sink.String()
	for _, c := range cases {
		assert.Contains(t, logged, c.cause.Error(), "the log tells the causes apart")
	}
	assert.NotContains(t, logged, long[:64])
}
