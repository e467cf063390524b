package core_test

import (
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestLocalTokenMarkedRefresh: a JWT that marks itself as a refresh token
// is refused when checked locally too, whatever typ header it carries.
// (The marks in introspection answers: TestIntrospectionChecks.)
func TestLocalTokenMarkedRefresh(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	for _, types := range [][]string{nil, {"JWT", "none"}} {
		rs := typRS(t, as, types...)
		hdr := map[jose.HeaderKey]any{}
		if types != nil {
			hdr[jose.HeaderType] = "JWT"
		}
		for name, claims := range map[string]map[string]any{
			"Keycloak typ Refresh":  {"typ": "Refresh"},
			"Keycloak typ Offline":  {"typ": "Offline"},
			"Keycloak typ ID":       {"typ": "ID"},
			"token_use refresh":     {"token_use": "refresh_token"},
			"token_type refresh":    {"token_type": "refresh_token"},
			"token_type URN":        {"token_type": "urn:ietf:params:oauth:token-type:refresh_token"},
			"token_type URN, upper": {"token_type": "URN:IETF:PARAMS:OAUTH:TOKEN-TYPE:REFRESH_TOKEN"},
		} {
			_, err := btAuth(rs, as.MintAccessToken(claims, hdr))
			require.Error(t, err, name)
			btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNotAccessToken)
		}
		_, err := btAuth(rs, as.MintAccessToken(map[string]any{"typ": "Bearer", "token_use": "access_token"}, hdr))
		require.NoError(t, err, "Keycloak's and Hydra's access tokens pass")
	}
}
