package asproc_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// A confidential client of the authorization code flow; its redirect URI
// is never requested.
const (
	webID       = "web-client"
	webSecret   = "web-client-secret"
	webRedirect = "https://web.example/callback"
)

func webClient() map[string]any {
	return asproc.CodeFlowClient(webID, webSecret, webRedirect, "openid groups")
}

// webLogin is a login of the web client, as account with acr.
func webLogin(account, acr string) asproc.LoginRequest {
	return asproc.LoginRequest{ClientID: webID, Secret: webSecret, RedirectURI: webRedirect,
		Scope: "openid groups", Account: account, ACR: acr}
}

// TestLogin drives the code flow through the test-only login and consent
// pages and checks where the login's acr and auth_time end up: the
// introspection answer and, for a resource, the at+jwt.
func TestLogin(t *testing.T) {
	t.Parallel()
	const resource = "https://api.example/"
	as := asproc.StartT(t, asproc.Config{
		Clients:         []map[string]any{rsJSONClient(), webClient()},
		Scopes:          []string{"groups"},
		SigningKeys:     []string{"RS256", "ES256"},
		ResourceServers: map[string]asproc.ResourceServer{resource: {Scope: "groups", Alg: "ES256"}},
		MaxLifetime:     2 * time.Minute,
	})
	ctx := context.Background()
	assert.Equal(t, []any{"eidas1", "eidas2", "eidas3"}, as.Discovery()["acr_values_supported"])

	b := as.NewBrowser()
	before := time.Now().Unix()
	first, err := b.Login(ctx, webLogin("alice", "eidas1"))
	require.NoError(t, err)
	assert.Equal(t, []string{"login", "consent"}, first.Prompts)
	assert.NotEmpty(t, first.IDToken)
	claims := introspectJSON(t, as, first.AccessToken)
	assert.Equal(t, true, claims["active"])
	assert.Equal(t, "alice", claims["sub"])
	assert.Equal(t, "eidas1", claims["acr"])
	authTime := int64(claims["auth_time"].(float64))
	assert.GreaterOrEqual(t, authTime, before)
	assert.LessOrEqual(t, authTime, time.Now().Unix())

	// The session answers a second request: no prompt, the same login.
	again, err := b.Login(ctx, webLogin("alice", "eidas3"))
	require.NoError(t, err)
	assert.Empty(t, again.Prompts)
	claims = introspectJSON(t, as, again.AccessToken)
	assert.Equal(t, "eidas1", claims["acr"])
	assert.Equal(t, float64(authTime), claims["auth_time"])

	// prompt=login: a new login, with its acr; the grant still covers the
	// scopes, so no consent.
	req := webLogin("alice", "eidas2")
	req.Prompt = "login"
	req.ACRValues = []string{"eidas2", "eidas3"}
	stronger, err := b.Login(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, []string{"login"}, stronger.Prompts)
	assert.Equal(t, "eidas2", introspectJSON(t, as, stronger.AccessToken)["acr"])

	// A login two hours ago; max_age=3600 makes the AS ask for a new one.
	old := asproc.LoginRequest{ClientID: webID, Secret: webSecret, RedirectURI: webRedirect,
		Scope: "openid groups", Resource: resource, Account: "bob", ACR: "eidas2", Age: 2 * time.Hour}
	b = as.NewBrowser()
	stale, err := b.Login(ctx, old)
	require.NoError(t, err)
	require.Equal(t, 2, strings.Count(stale.AccessToken, "."), "an at+jwt for the resource")
	jwt := jwsPart(t, stale.AccessToken, 1)
	assert.Equal(t, "at+jwt", jwsPart(t, stale.AccessToken, 0)["typ"])
	assert.Equal(t, "bob", jwt["sub"])
	assert.Equal(t, "eidas2", jwt["acr"])
	assert.InDelta(t, time.Now().Add(-2*time.Hour).Unix(), jwt["auth_time"], 60)

	fresh := old
	fresh.MaxAge, fresh.Age = time.Hour, 0
	now, err := b.Login(ctx, fresh)
	require.NoError(t, err)
	assert.Equal(t, []string{"login"}, now.Prompts)
	assert.InDelta(t, time.Now().Unix(), jwsPart(t, now.AccessToken, 1)["auth_time"], 60)

	// A token minted by /test/token has no login behind it.
	minted, err := as.MintToken(ctx, "carol", webID, "groups", time.Minute)
	require.NoError(t, err)
	cc := introspectJSON(t, as, minted)
	assert.NotContains(t, cc, "acr")
	assert.NotContains(t, cc, "auth_time")
}
