package core_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Access-token profiles: the typ headers OIDC_RS_JWT_TYPES accepts, and the
// ID tokens refused once a typ they share is accepted.

// typRS is a local resource server of as that accepts types.
func typRS(t *testing.T, as *oidcrstest.Server, types ...string) *core.ResourceServer {
	t.Helper()
	st := as.AccessTokenSettings()
	st.JWTTypes = types
	rs, err := core.New(st)
	require.NoError(t, err)
	return rs
}

func TestJWTTypes(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	typ := func(v any) map[jose.HeaderKey]any { return map[jose.HeaderKey]any{jose.HeaderType: v} }
	// Each header against each setting: true when accepted.
	headers := []struct {
		name string
		hdr  map[jose.HeaderKey]any
	}{
		{"at+jwt", typ("at+jwt")}, {"application/at+jwt", typ("application/at+jwt")}, {"AT+JWT", typ("AT+JWT")},
		{"JWT", typ("JWT")}, {"application/jwt", typ("application/jwt")}, {"jwt", typ("jwt")},
		{"absent", typ(nil)}, {"none", typ("none")}, {"JOSE", typ("JOSE")}, {"empty", typ("")}, {"number", typ(1)},
		{"application/x/at+jwt", typ("application/x/at+jwt")},
	}
	settings := map[string]struct {
		types []string
		ok    []string
	}{
		"default":            {nil, []string{"at+jwt", "application/at+jwt", "AT+JWT"}},
		"application/at+jwt": {[]string{"application/at+jwt"}, []string{"at+jwt", "application/at+jwt", "AT+JWT"}},
		"JWT":                {[]string{"JWT"}, []string{"JWT", "application/jwt", "jwt"}},
		"none":               {[]string{"none"}, []string{"absent"}},
		"all": {[]string{"at+jwt", "application/jwt", "None"},
			[]string{"at+jwt", "application/at+jwt", "AT+JWT", "JWT", "application/jwt", "jwt", "absent"}},
	}
	for name, st := range settings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rs := typRS(t, as, st.types...)
			for _, h := range headers {
				_, err := btAuth(rs, as.MintAccessToken(nil, h.hdr))
				if slices.Contains(st.ok, h.name) {
					assert.NoError(t, err, "typ %s", h.name)
				} else {
					btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenType)
				}
			}
		})
	}
}

func TestJWTTypesRefuseIDTokens(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	jwt := map[jose.HeaderKey]any{jose.HeaderType: "JWT"}
	noScopeNoClient := map[string]any{"scope": nil, "client_id": nil}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		kind   error
		desc   string
	}{
		{"access token", nil, nil, ""},
		{"nonce", map[string]any{"nonce": "n-0S6"}, core.ErrInvalidToken, core.DescNotAccessToken},
		{"at_hash", map[string]any{"at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}, core.ErrInvalidToken, core.DescNotAccessToken},
		{"nonce of another type", map[string]any{"nonce": []any{}}, core.ErrInvalidToken, core.DescNotAccessToken},
		{"no scope, client_id nor azp", noScopeNoClient, core.ErrInvalidToken, core.DescNotAccessToken},
		{"azp only", map[string]any{"scope": nil, "client_id": nil, "azp": "sp"}, core.ErrInsufficientScope, core.DescTokenMissingScope},
		{"client_id only", map[string]any{"scope": nil}, core.ErrInsufficientScope, core.DescTokenMissingScope},
		{"scp only", map[string]any{"scope": nil, "client_id": nil, "scp": []string{"groups"}}, core.ErrInvalidToken, core.DescTokenMissingAudience},
		{"ID token for another audience", map[string]any{"aud": "sp-client", "nonce": "n"}, core.ErrInvalidToken, core.DescWrongResource},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs := typRS(t, as, "at+jwt", "JWT")
			_, err := btAuth(rs, as.MintAccessToken(tc.claims, jwt))
			if tc.kind == nil {
				require.NoError(t, err)
				return
			}
			btRejected(t, rs, err, tc.kind, statusOf(tc.kind), tc.desc)
		})
	}
	t.Run("only at+jwt: the claims are not asked", func(t *testing.T) {
		t.Parallel()
		rs := typRS(t, as)
		_, err := btAuth(rs, as.MintAccessToken(map[string]any{"nonce": "n"}, nil))
		require.NoError(t, err)
	})
}

// TestLocalRefusalsSayLocal: a token checked locally is never refused
// with a text that speaks of introspection.
func TestLocalRefusalsSayLocal(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	rs := typRS(t, as)
	for _, tc := range []struct {
		claims map[string]any
		kind   error
		desc   string
	}{
		{map[string]any{"scope": nil}, core.ErrInsufficientScope, core.DescTokenMissingScope},
		{map[string]any{"scope": "email"}, core.ErrInsufficientScope, core.DescTokenScopesMismatch},
		{map[string]any{"client_id": nil}, core.ErrInvalidToken, core.DescTokenMissingAudience},
		{map[string]any{"scope": nil, "scp": "email"}, core.ErrInsufficientScope, core.DescTokenScopesMismatch},
	} {
		_, err := btAuth(rs, as.MintAccessToken(tc.claims, nil))
		r := btRejected(t, rs, err, tc.kind, statusOf(tc.kind), tc.desc)
		assert.NotContains(t, strings.ToLower(r.WWWAuthenticate), "introspect")
	}
	ti, err := btAuth(rs, as.MintAccessToken(map[string]any{"scope": nil, "scp": []string{"openid", "groups"}}, nil))
	require.NoError(t, err)
	assert.Equal(t, []string{"openid", "groups"}, ti.Scopes, "scp is read in local tokens too")
}

// statusOf is the status of a refusal of kind: 403 for a scope, else 401.
func statusOf(kind error) int {
	if kind == core.ErrInsufficientScope {
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}
