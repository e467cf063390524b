//go:build unix

package examples_test

import (
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestExamplesWithJWTAccessTokens runs each example, unchanged, in local
// RFC 9068 mode, configured by four variables only: the signing keys come
// from discovery, and no token is introspected.
func TestExamplesWithJWTAccessTokens(t *testing.T) {
	bin := buildExamples(t)
	for _, name := range []string{"gin", "echo", "chi"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
			addr := freeAddr(t)
			p := start(t, bin+"/"+name, map[string]string{
				"ADDR":                  addr,
				"OIDC_RS_BACKEND_CLASS": "jwt-access-token",
				"OIDC_OP_URL":           as.URL,
				"OIDC_RS_RESOURCE":      as.Resource(),
				"OIDC_RS_SIGNING_ALGO":  "ES256",
				"OIDC_RS_SCOPES":        "groups",
			})
			base := "http://" + addr
			p.waitFor(t, "Listening on "+base)
			resp, body := get(t, base+"/api/me", as.MintAccessToken(nil, nil))
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.JSONEq(t, `{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups"]}`, string(body))
			resp, _ = get(t, base+"/api/admin", as.MintAccessToken(map[string]any{"scope": "groups admin"}, nil))
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			resp, _ = get(t, base+"/api/me", as.MintAccessToken(map[string]any{"aud": "https://other.example"}, nil))
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "not issued for this resource")
			assert.Zero(t, as.IntrospectionCalls())
			assert.EqualValues(t, 1, as.DiscoveryCalls())
			assert.EqualValues(t, 1, as.JWKSCalls())
			p.stop(t)
		})
	}
}
