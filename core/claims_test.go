package core_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btClaimCase is one introspection answer and the verdict on it.
type btClaimCase struct {
	name   string
	only   oidcrstest.Mode // "" for both backends
	claims map[string]any  // overlaid on the kit's defaults; nil removes
	edit   func(*core.Settings)
	kind   error // nil: accepted
	status int
	desc   string
	check  func(t *testing.T, ti *core.TokenInfo)
}

// TestIntrospectionChecks runs the reference's checks of the introspection
// answer, with its messages, in both backends.
func TestIntrospectionChecks(t *testing.T) {
	t.Parallel()
	now := time.Now()
	past, future := now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix()
	scopes := func(sc ...string) func(*core.Settings) { return func(s *core.Settings) { s.Scopes = sc } }
	audClaim := func(s *core.Settings) { s.AudienceClaim = "aud" }
	// Wide: parallel subtests may start long after now was read.
	leeway := func(s *core.Settings) { s.Leeway = 10 * time.Minute }
	scopeClaim := func(name string) func(*core.Settings) { return func(s *core.Settings) { s.ScopeClaim = name } }
	audiences := func(a ...string) func(*core.Settings) { return func(s *core.Settings) { s.Audiences = a } }
	cases := []btClaimCase{
		{name: "defaults accepted", check: func(t *testing.T, ti *core.TokenInfo) {
			assert.Equal(t, oidcrstest.DefaultSPClientID, ti.OriginAudience())
		}},
		{name: "active missing", claims: map[string]any{"active": nil},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		{name: "active false", claims: map[string]any{"active": false},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescInactive},
		{name: "active string true is not true", claims: map[string]any{"active": "true"},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		{name: "active number 1 is not true", claims: map[string]any{"active": 1},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		{name: "iss mismatch", claims: map[string]any{"iss": "https://evil.example"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescInvalidClaims},
		// Finding 3: the reference registers iss as essential in the JSON
		// backend; the JWT backend checked the envelope's iss instead.
		{name: "iss absent refused", only: oidcrstest.JSON, claims: map[string]any{"iss": nil},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescInvalidClaims},
		{name: "iss empty refused", only: oidcrstest.JSON, claims: map[string]any{"iss": ""},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescInvalidClaims},
		{name: "inner iss absent accepted", only: oidcrstest.JWT, claims: map[string]any{"iss": nil}},
		{name: "scope missing", claims: map[string]any{"scope": nil},
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescMissingScope},
		{name: "no shared scope", claims: map[string]any{"scope": "profile openid"}, edit: scopes("groups", "email"),
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescScopesMismatch},
		{name: "scope prefix is not the scope", claims: map[string]any{"scope": "groupsx"},
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescScopesMismatch},
		{name: "any of the scopes suffices", claims: map[string]any{"scope": "openid email"}, edit: scopes("groups", "email"),
			check: func(t *testing.T, ti *core.TokenInfo) { assert.Equal(t, []string{"openid", "email"}, ti.Scopes) }},
		{name: "audience missing", claims: map[string]any{"client_id": nil},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "audience empty string", claims: map[string]any{"client_id": ""},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "audience string is origin", claims: map[string]any{"client_id": "sp-2"},
			check: func(t *testing.T, ti *core.TokenInfo) {
				assert.Equal(t, "sp-2", ti.OriginAudience())
				assert.Equal(t, []string{"sp-2"}, ti.Audience)
			}},
		{name: "aud claim array first is origin", claims: map[string]any{"aud": []string{"sp-a", "sp-b"}}, edit: audClaim,
			check: func(t *testing.T, ti *core.TokenInfo) {
				assert.Equal(t, "sp-a", ti.OriginAudience())
				assert.Equal(t, []string{"sp-a", "sp-b"}, ti.Audience)
			}},
		{name: "aud claim string", claims: map[string]any{"aud": "sp-x"}, edit: audClaim,
			check: func(t *testing.T, ti *core.TokenInfo) { assert.Equal(t, "sp-x", ti.OriginAudience()) }},
		{name: "aud claim missing though client_id present", edit: audClaim,
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "audience empty array", claims: map[string]any{"aud": []string{}}, edit: audClaim,
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "audience number", claims: map[string]any{"client_id": 42},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "audience array of numbers", claims: map[string]any{"aud": []int{1, 2}}, edit: audClaim,
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "audience array with a non-string", claims: map[string]any{"aud": []any{"sp-a", 7}}, edit: audClaim,
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
		{name: "exp in the past", claims: map[string]any{"exp": past},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescExpired},
		{name: "nbf in the future", claims: map[string]any{"nbf": future},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotYetValid},
		{name: "iat in the future", claims: map[string]any{"iat": future},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotYetValid},
		{name: "exp not a number", claims: map[string]any{"exp": "tomorrow"},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		{name: "leeway accepts exp just past", claims: map[string]any{"exp": now.Add(-5 * time.Second).Unix()}, edit: leeway},
		{name: "leeway accepts nbf just ahead", claims: map[string]any{"nbf": now.Add(5 * time.Second).Unix()}, edit: leeway},
		{name: "leeway accepts iat just ahead", claims: map[string]any{"iat": now.Add(5 * time.Second).Unix()}, edit: leeway},
		{name: "leeway does not save an hour-old exp", claims: map[string]any{"exp": past}, edit: leeway,
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescExpired},
		// Scopes as servers write them: scope, else scp (a string or an
		// array), or the one claim OIDC_RS_SCOPE_CLAIM names.
		{name: "scp array read when scope is absent", claims: map[string]any{"scope": nil, "scp": []string{"openid", "groups"}},
			check: func(t *testing.T, ti *core.TokenInfo) {
				assert.Equal(t, []string{"openid", "groups"}, ti.Scopes)
				_, synthesized := ti.Claim("scope")
				assert.False(t, synthesized, "no scope claim is made up")
				scp, _ := ti.Claim("scp")
				assert.Equal(t, []any{"openid", "groups"}, scp)
			}},
		{name: "scp string read when scope is absent", claims: map[string]any{"scope": nil, "scp": "openid groups"},
			check: func(t *testing.T, ti *core.TokenInfo) { assert.Equal(t, []string{"openid", "groups"}, ti.Scopes) }},
		{name: "scope wins over scp by default", claims: map[string]any{"scope": "profile", "scp": []string{"groups"}},
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescScopesMismatch},
		{name: "scope claim set to scp reads scp only", claims: map[string]any{"scope": "profile", "scp": []string{"groups"}},
			edit: scopeClaim("scp"), check: func(t *testing.T, ti *core.TokenInfo) {
				assert.Equal(t, []string{"groups"}, ti.Scopes)
				sc, _ := ti.Claim("scope")
				assert.Equal(t, "profile", sc, "the scope claim is kept as sent")
			}},
		{name: "scope claim set to scp ignores scope", claims: map[string]any{"scope": "groups"}, edit: scopeClaim("scp"),
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescMissingScope},
		{name: "scope claim set to scope ignores scp", claims: map[string]any{"scope": nil, "scp": "groups"}, edit: scopeClaim("scope"),
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescMissingScope},
		{name: "scope as an array is refused", claims: map[string]any{"scope": []string{"groups"}},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		{name: "scp array with a number is refused", claims: map[string]any{"scope": nil, "scp": []any{"groups", 7}},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		{name: "scp array element with a space is refused", claims: map[string]any{"scope": nil, "scp": []any{"x groups"}},
			kind: core.ErrBadResponse, status: http.StatusBadGateway, desc: core.DescInvalidClaims},
		// Refresh tokens never authenticate (RFC 6749 section 1.5), even
		// when the authorization server calls them active.
		{name: "token_use refresh_token (Hydra)", claims: map[string]any{"token_use": "refresh_token"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		{name: "token_use not a string", claims: map[string]any{"token_use": 1},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		{name: "token_use access_token accepted", claims: map[string]any{"token_use": "access_token"}},
		{name: "typ Refresh (Keycloak)", claims: map[string]any{"typ": "Refresh"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		{name: "typ Offline (Keycloak)", claims: map[string]any{"typ": "offline"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		{name: "typ Bearer accepted", claims: map[string]any{"typ": "Bearer"}},
		{name: "token_type refresh_token", claims: map[string]any{"token_type": "refresh_token"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		{name: "token_type RFC 8693 refresh token URN", claims: map[string]any{"token_type": "urn:ietf:params:oauth:token-type:refresh_token"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		{name: "refresh mark before iss", claims: map[string]any{"token_use": "refresh_token", "iss": "https://evil.example"},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescNotAccessToken},
		// Audiences that are not URIs (OIDC_RS_AUDIENCE), beside the
		// resource.
		{name: "aud holds an audience", claims: map[string]any{"aud": []string{"other", "my-api"}}, edit: audiences("my-api")},
		{name: "aud holds neither audience nor resource", claims: map[string]any{"aud": "other"}, edit: audiences("my-api"),
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescWrongResource},
		{name: "aud missing with audiences set", claims: map[string]any{"aud": nil}, edit: audiences("my-api"),
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescWrongResource},
		{name: "aud holds the resource beside audiences", claims: map[string]any{"aud": "https://rs.example/api"},
			edit: func(s *core.Settings) { audiences("my-api")(s); s.Resource = "https://rs.example/api" }},
		{name: "aud holds an audience beside the resource", claims: map[string]any{"aud": "my-api"},
			edit: func(s *core.Settings) { audiences("my-api")(s); s.Resource = "https://rs.example/api" }},
		{name: "aud holds only another resource", claims: map[string]any{"aud": "https://other.example/api"},
			edit: func(s *core.Settings) { audiences("my-api")(s); s.Resource = "https://rs.example/api" },
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescWrongResource},
		// The reference's order: active, iss, scope, audience, times.
		{name: "order inactive before scope", claims: map[string]any{"active": false, "scope": nil},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescInactive},
		{name: "order iss before scope", claims: map[string]any{"iss": "https://evil.example", "scope": nil},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescInvalidClaims},
		{name: "order scope before audience", claims: map[string]any{"scope": nil, "client_id": nil},
			kind: core.ErrInsufficientScope, status: http.StatusForbidden, desc: core.DescMissingScope},
		{name: "order audience before exp", claims: map[string]any{"client_id": nil, "exp": past},
			kind: core.ErrInvalidToken, status: http.StatusUnauthorized, desc: core.DescMissingAudience},
	}
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			for _, tc := range cases {
				if tc.only != "" && tc.only != mode {
					continue
				}
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					rs := btRS(t, as, tc.edit)
					ti, err := btAuth(rs, as.Mint(tc.claims))
					if tc.kind == nil {
						require.NoError(t, err)
						if tc.check != nil {
							tc.check(t, ti)
						}
						return
					}
					require.Nil(t, ti)
					btRejected(t, rs, err, tc.kind, tc.status, tc.desc)
				})
			}
		})
	}
}

// TestScopeChallenge checks the 403's WWW-Authenticate: it names every
// scope of OIDC_RS_SCOPES, for a missing scope claim and a mismatch alike.
func TestScopeChallenge(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		for _, tc := range []struct {
			name  string
			scope any
			desc  string
		}{
			{"mismatch", "profile", core.DescScopesMismatch},
			{"missing", nil, core.DescMissingScope},
		} {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				as := btAS(t, mode)
				rs := btRS(t, as, func(s *core.Settings) { s.Scopes = []string{"groups", "email"} })
				resp, body := btGet(t, btServe(t, rs).URL, "Bearer "+as.Mint(map[string]any{"scope": tc.scope}))
				require.Equal(t, http.StatusForbidden, resp.StatusCode)
				assert.Equal(t, `Bearer realm="oidcrs", error="insufficient_scope", error_description="`+tc.desc+`", scope="groups email"`,
					resp.Header.Get("WWW-Authenticate"))
				assert.Equal(t, map[string]string{"error": "insufficient_scope", "error_description": tc.desc}, btErrorBody(t, body))
			})
		}
	}
}
