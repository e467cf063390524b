package asproc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// Test-only credentials of the throwaway AS; never real secrets.
const (
	rsID     = "rs-json"
	rsSecret = "rs-json-secret"
	spID     = "sp-client"
	spSecret = "sp-client-secret"
)

func rsJSONClient() map[string]any {
	return map[string]any{
		"client_id":                  rsID,
		"client_secret":              rsSecret,
		"grant_types":                []string{},
		"response_types":             []string{},
		"redirect_uris":              []string{},
		"token_endpoint_auth_method": "client_secret_post",
	}
}

func spClient() map[string]any {
	return map[string]any{
		"client_id":                  spID,
		"client_secret":              spSecret,
		"grant_types":                []string{"client_credentials"},
		"response_types":             []string{},
		"redirect_uris":              []string{},
		"token_endpoint_auth_method": "client_secret_post",
		"scope":                      "openid groups admin",
	}
}

// introspect posts an RFC 7662 request with client_secret_post over plain
// net/http and returns the response with its body read.
func introspect(t *testing.T, as *asproc.AS, id, secret, token, accept string) (*http.Response, []byte) {
	t.Helper()
	form := url.Values{"client_id": {id}, "client_secret": {secret}, "token": {token}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		as.IntrospectionURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// introspectJSON introspects as the JSON RS client and decodes a 200 answer.
func introspectJSON(t *testing.T, as *asproc.AS, token string) map[string]any {
	t.Helper()
	resp, body := introspect(t, as, rsID, rsSecret, token, "application/json")
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	require.Contains(t, resp.Header.Get("Content-Type"), "application/json")
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}

func TestJSONIntrospection(t *testing.T) {
	t.Parallel()
	as := asproc.StartT(t, asproc.Config{
		Clients:     []map[string]any{rsJSONClient(), spClient()},
		Scopes:      []string{"groups", "admin"},
		MaxLifetime: 2 * time.Minute,
	})
	ctx := context.Background()
	require.True(t, strings.HasPrefix(as.URL, "http://127.0.0.1:"), as.URL)
	require.False(t, strings.HasSuffix(as.URL, "/"))
	d := as.Discovery()
	assert.Equal(t, as.URL, d["issuer"])
	assert.Equal(t, as.URL+"/token/introspection", as.IntrospectionURL())
	assert.Equal(t, as.URL+"/token/revocation", as.RevocationURL())
	assert.Equal(t, as.URL+"/jwks", as.JWKSURL())

	t.Run("minted token with subject", func(t *testing.T) {
		tok, err := as.MintToken(ctx, "user-1", spID, "openid groups", time.Hour)
		require.NoError(t, err)
		require.NotEmpty(t, tok)
		m := introspectJSON(t, as, tok)
		assert.Equal(t, true, m["active"])
		assert.Equal(t, "user-1", m["sub"])
		assert.Equal(t, spID, m["client_id"])
		assert.Equal(t, "openid groups", m["scope"])
		assert.Equal(t, as.URL, m["iss"])
		assert.Equal(t, "Bearer", m["token_type"])
		exp, iat := m["exp"].(float64), m["iat"].(float64)
		assert.InDelta(t, 3600, exp-iat, 1)
		assert.InDelta(t, float64(time.Now().Unix()), iat, 5)

		require.NoError(t, as.Revoke(ctx, tok, spID, spSecret))
		assert.Equal(t, map[string]any{"active": false}, introspectJSON(t, as, tok))
	})

	t.Run("extra claims and audience", func(t *testing.T) {
		resp, err := as.Mint(ctx, asproc.TokenRequest{
			AccountID: "user-2", ClientID: spID, Scope: "groups",
			Audience: "https://api.example", Extra: map[string]any{"groups": []string{"admins"}},
		})
		require.NoError(t, err)
		assert.Equal(t, "Bearer", resp.TokenType)
		m := introspectJSON(t, as, resp.AccessToken)
		assert.Equal(t, true, m["active"])
		assert.Equal(t, "https://api.example", m["aud"])
		assert.Equal(t, []any{"admins"}, m["groups"])
	})

	t.Run("unknown token", func(t *testing.T) {
		assert.Equal(t, map[string]any{"active": false}, introspectJSON(t, as, "no-such-token"))
	})

	t.Run("wrong RS secret", func(t *testing.T) {
		tok, err := as.MintToken(ctx, "user-1", spID, "groups", 0)
		require.NoError(t, err)
		resp, body := introspect(t, as, rsID, "wrong-secret", tok, "application/json")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Empty(t, resp.Header.Values("WWW-Authenticate"))
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		assert.Equal(t, "invalid_client", m["error"])
	})

	t.Run("client credentials has no sub", func(t *testing.T) {
		tok, err := as.ClientCredentials(ctx, spID, spSecret, "groups admin")
		require.NoError(t, err)
		m := introspectJSON(t, as, tok)
		assert.Equal(t, true, m["active"])
		assert.Equal(t, spID, m["client_id"])
		assert.Equal(t, "groups admin", m["scope"])
		assert.NotContains(t, m, "sub")
		assert.Zero(t, strings.Count(tok, "."), "token must be opaque, not a JWT")
	})

	t.Run("expired token", func(t *testing.T) {
		// On a busy machine the token may expire before its first
		// introspection: then again, with a lifetime twice as long.
		var tok string
		var m map[string]any
		for ttl := 2 * time.Second; ; ttl *= 2 {
			var err error
			tok, err = as.MintToken(ctx, "user-1", spID, "groups", ttl)
			require.NoError(t, err)
			m = introspectJSON(t, as, tok)
			if m["active"] == true || ttl >= 32*time.Second {
				require.Equal(t, true, m["active"])
				assert.InDelta(t, ttl.Seconds(), m["exp"].(float64)-m["iat"].(float64), 0.5)
				break
			}
		}
		// Past exp by the AS's clock (whole seconds), which is ours.
		time.Sleep(time.Until(time.Unix(int64(m["exp"].(float64)), 0)) + time.Second)
		assert.Equal(t, map[string]any{"active": false}, introspectJSON(t, as, tok))
	})

	t.Run("errors carry no token", func(t *testing.T) {
		_, err := as.MintToken(ctx, "user-1", "no-such-client", "", 0)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "400")
		err = as.Revoke(ctx, "some-token-value", spID, "wrong-secret-xyz")
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "some-token-value")
		assert.NotContains(t, err.Error(), "wrong-secret-xyz")
	})
}

func TestCloseKillsProcess(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	as, err := asproc.Start(context.Background(), asproc.Config{})
	require.NoError(t, err)
	require.NoError(t, as.Close())
	require.NoError(t, as.Close())
	select {
	case <-as.Done():
	default:
		t.Fatal("process still running after Close")
	}
	_, err = http.Get(as.URL + "/.well-known/openid-configuration")
	assert.Error(t, err)
}

func TestMaxLifetime(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	as, err := asproc.Start(context.Background(), asproc.Config{MaxLifetime: time.Second})
	if err != nil {
		// On a loaded machine node may take longer than the lifetime to
		// start; then it exits before Start is done, which proves the same.
		assert.Contains(t, err.Error(), "maxLifetimeSeconds=1 reached")
		return
	}
	defer as.Close()
	select {
	case <-as.Done():
		assert.Contains(t, as.Logs(), "maxLifetimeSeconds=1 reached")
	case <-time.After(60 * time.Second):
		t.Fatal("AS outlived MaxLifetime")
	}
}

func TestStartFailsOnBadClientMetadata(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	_, err := asproc.Start(context.Background(), asproc.Config{Clients: []map[string]any{{
		"client_id":                            "bad",
		"client_secret":                        "bad-secret",
		"grant_types":                          []string{},
		"response_types":                       []string{},
		"redirect_uris":                        []string{},
		"introspection_encrypted_response_alg": "bogus",
	}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exited before READY")
	assert.Contains(t, err.Error(), "invalid_client_metadata")
	assert.NotContains(t, err.Error(), "bad-secret")
}
