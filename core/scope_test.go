package core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// A scope claim splits on the space character (0x20) only, as RFC 6749
// section 3.3 and the reference's scope.split(" ") do: strings.Fields
// would split "files:<NBSP>admin" into "files:" and "admin".

// btWhitespace are the separators that are not 0x20.
var btWhitespace = map[string]string{
	"NBSP": "\u00a0", "EM SPACE": "\u2003", "IDEOGRAPHIC SPACE": "\u3000",
	"TAB": "\t", "LF": "\n", "NEL": "\u0085",
}

func TestScopeClaimSplitsOnSpaceOnly(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"a", "b"}, core.SplitScopeClaim("a b"))
	assert.Equal(t, []string{"a", "b"}, core.SplitScopeClaim("  a   b  "), "empty parts are dropped")
	assert.Nil(t, core.SplitScopeClaim("   "))
	assert.Nil(t, core.SplitScopeClaim(""))
	for name, ws := range btWhitespace {
		assert.Equal(t, []string{"files:" + ws + "admin"}, core.SplitScopeClaim("files:"+ws+"admin"), name)
	}
}

// TestScopeWithOtherWhitespaceGrantsNothing goes end to end: OIDC_RS_SCOPES
// and a per-route AnyScope rule, in both backends.
func TestScopeWithOtherWhitespaceGrantsNothing(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		as := btAS(t, mode)
		rs := btRS(t, as, func(s *core.Settings) { s.Scopes = []string{"admin"} })
		route := btRS(t, as, nil) // OIDC_RS_SCOPES=groups
		admin := route.Middleware()(route.RequireScopes(core.AnyScope("admin"))(perfOK))
		for name, ws := range btWhitespace {
			t.Run(string(mode)+"/"+name, func(t *testing.T) {
				t.Parallel()
				_, err := btAuth(rs, as.Mint(map[string]any{"scope": "files:" + ws + "admin"}))
				btRejected(t, rs, err, core.ErrInsufficientScope, http.StatusForbidden, core.DescScopesMismatch)

				tok := as.Mint(map[string]any{"scope": oidcrstest.DefaultScope + " files:" + ws + "admin"})
				assert.Equal(t, http.StatusForbidden, perfGet(admin, tok), "AnyScope(admin) must not match")
				ti, err := btAuth(route, tok)
				if assert.NoError(t, err) {
					assert.Equal(t, []string{oidcrstest.DefaultScope, "files:" + ws + "admin"}, ti.Scopes)
					assert.False(t, ti.HasScope("admin"))
				}
			})
		}
	}
}
