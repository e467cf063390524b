package core_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// challengedScope reads the scope attribute of a challenge.
var challengedScope = regexp.MustCompile(`, scope="([^"]*)"$`)

// TestChallengeListsWhatTheRequestNeeds: a 403's scope lists the scopes
// the request needs, the server's rule first and the route's after, with
// the ones the token already holds; a token minted with exactly that set
// then passes, whichever rule failed first. A client that steps up with
// the challenged scope (as the MCP SDKs do) never bounces between two
// 403s. One case takes two steps: when the server's rule fails, the
// route is not known yet, and the first challenge can only keep the
// scopes the token holds that some route needs.
func TestChallengeListsWhatTheRequestNeeds(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		as := btAS(t, mode)
		rs := btRS(t, as, func(s *core.Settings) { s.Scopes = []string{"groups", "email"} })
		mux := http.NewServeMux()
		mux.Handle("/mcp", rs.RequireScopes(core.AllScopes("mcp"))(perfOK))
		mux.Handle("/any", rs.RequireScopes(core.AnyScope("admin", "ops"))(perfOK))
		mux.Handle("/all", rs.RequireScopes(core.AllScopes("admin", "ops"))(perfOK))
		srv := httptest.NewServer(rs.Middleware()(mux))
		t.Cleanup(srv.Close)
		for _, tc := range []struct {
			name, path, scope string
			want              []string // the challenges, one per step
		}{
			{"route fails, server holds", "/mcp", "openid groups", []string{"groups mcp"}},
			{"server fails, route holds", "/mcp", "openid mcp", []string{"groups email mcp"}},
			{"server fails, nothing held", "/mcp", "openid", []string{"groups email", "groups email mcp"}},
			{"both server scopes held", "/mcp", "email openid groups", []string{"groups email mcp"}},
			{"any-of route fails", "/any", "email", []string{"email admin ops"}},
			{"all-of route half held", "/all", "ops groups", []string{"groups admin ops"}},
			{"server fails, other routes' scopes held", "/mcp", "ops admin",
				[]string{"groups email admin ops", "groups email mcp"}},
		} {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				scope := tc.scope
				for _, want := range tc.want {
					resp, _ := btGet(t, srv.URL+tc.path, "Bearer "+as.Mint(map[string]any{"scope": scope}))
					require.Equal(t, http.StatusForbidden, resp.StatusCode, "scope %q", scope)
					m := challengedScope.FindStringSubmatch(resp.Header.Get("WWW-Authenticate"))
					require.NotNil(t, m, "no scope in %q", resp.Header.Get("WWW-Authenticate"))
					require.Equal(t, want, m[1])
					scope = m[1]
				}
				resp, _ := btGet(t, srv.URL+tc.path, "Bearer "+as.Mint(map[string]any{"scope": scope}))
				assert.Equal(t, http.StatusNoContent, resp.StatusCode, "a token with exactly the challenged scope %q", scope)
			})
		}
	}
}

// TestChallengeScopeWithoutServer: ScopeRequirement.Check's refusal,
// answered by a nil ResourceServer, names the rule's scopes alone.
func TestChallengeScopeWithoutServer(t *testing.T) {
	t.Parallel()
	err := core.AllScopes("mcp", "admin").Check(&core.TokenInfo{Scopes: []string{"groups", "admin"}})
	var rs *core.ResourceServer
	assert.Equal(t, `Bearer realm="oidcrs", error="insufficient_scope", error_description="`+core.DescInsufficientScope+`", scope="mcp admin"`,
		rs.ErrorResponse(err).WWWAuthenticate)
}

// TestUnauthorizedChallengeScope: with a resource, every 401 lists
// scopes_supported (OIDC_RS_SCOPES, then the routes' scopes in the order
// advertised) so that a client knows what to ask for first; without one,
// a 401 names no scope.
func TestUnauthorizedChallengeScope(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.Resource = "https://api.example/mcp" })
	plain := btRS(t, as, nil)
	for _, r := range []*core.ResourceServer{rs, plain} {
		r.AdvertiseScopes(core.AllScopes("mcp", "groups"))
		r.AdvertiseScopes(core.AnyScope("admin"))
	}
	_, missing := rs.Authenticate(t.Context(), nil)
	_, revoked := btAuth(rs, "revoked")
	for _, err := range []error{missing, revoked} {
		assert.Regexp(t, `, scope="groups mcp admin"`+regexp.QuoteMeta(dpopOffer)+`$`, rs.ErrorResponse(err).WWWAuthenticate)
		assert.NotContains(t, plain.ErrorResponse(err).WWWAuthenticate, "scope=")
	}
}

// dpopOffer ends the 401 challenges of a server that takes DPoP (the
// default, with Settings.Resource or ExternalURL): the DPoP scheme,
// offered bare beside Bearer's.
const dpopOffer = `, DPoP realm="oidcrs", algs="ES256 ES384 PS256 RS256 EdDSA"`
