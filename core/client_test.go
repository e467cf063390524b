package core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestIntrospectionHintsAccessToken: every introspection request says that
// only an access token will do (RFC 7662 section 2.1), whatever the
// backend, the client authentication and the answer; and an answer that
// still calls the token a refresh token is refused.
func TestIntrospectionHintsAccessToken(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		for _, auth := range []core.ClientAuthMethod{core.ClientSecretPost, core.ClientSecretBasic} {
			t.Run(string(mode)+"/"+string(auth), func(t *testing.T) {
				t.Parallel()
				as := btAS(t, mode)
				proxy, rec := btProxy(t, as.URL)
				rs := btRS(t, as, func(s *core.Settings) {
					s.IntrospectionEndpoint = proxy.URL + "/introspect"
					s.ClientAuth = auth
				})
				_, err := btAuth(rs, as.Mint(nil))
				require.NoError(t, err)
				_, err = btAuth(rs, "never-minted")
				btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
				_, err = btAuth(rs, as.Mint(map[string]any{"token_use": "refresh_token"}))
				btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNotAccessToken)
				reqs := rec.requests()
				require.Len(t, reqs, 3)
				for _, r := range reqs {
					assert.Equal(t, []string{"access_token"}, r.Form["token_type_hint"])
				}
			})
		}
	}
}

// TestRefreshTokenNeverCached: a refused refresh token stays refused from
// the cache, and never becomes a 200.
func TestRefreshTokenNeverCached(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	tok := as.Mint(map[string]any{"token_use": "refresh_token"})
	for range 3 {
		_, err := btAuth(rs, tok)
		btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNotAccessToken)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "the refusal is cached for the negative TTL")
}
