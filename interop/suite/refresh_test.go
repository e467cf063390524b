package suite_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// TestRefreshTokens presents node oidc-provider's real refresh tokens as
// bearer tokens. Its introspection calls a refresh token active, even when
// asked with token_type_hint=access_token, and marks it only by leaving
// token_type out (RFC 7662 makes token_type optional, so that alone proves
// nothing). What refuses one is the audience rule: its refresh tokens
// carry no aud, so OIDC_RS_RESOURCE or OIDC_RS_AUDIENCE refuse them. (A
// refresh token that says what it is, as Hydra's and Keycloak's do, is
// refused whatever the settings: core's TestIntrospectionChecks.)
func TestRefreshTokens(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	rs := jsonClient("rs-refresh")
	as := asproc.StartT(t, asConfig(rs))
	ctx := context.Background()
	mint := func(req asproc.TokenRequest) string {
		req.AccountID, req.ClientID, req.Scope = "user-r", spID, "openid groups"
		out, err := as.Mint(ctx, req)
		require.NoError(t, err)
		return out.AccessToken
	}
	refresh := mint(asproc.TokenRequest{Kind: "refresh"})

	answer := introspectHinted(t, as, rs, refresh)
	assert.Equal(t, true, answer["active"], "oidc-provider calls a refresh token active despite the hint")
	assert.NotContains(t, answer, "token_type", "and marks it only by leaving token_type out")
	assert.NotContains(t, answer, "aud")

	// verdict returns the refusal of tok and its answer.
	verdict := func(env map[string]string, tok string) (core.Response, error) {
		srv := newRS(t, rs.env(as, env))
		_, err := srv.Authenticate(ctx, []string{"Bearer " + tok})
		return srv.ErrorResponse(err), err
	}
	const aud = "urn:oidcrs:interop:api"
	for name, env := range map[string]map[string]string{
		"OIDC_RS_AUDIENCE": {"OIDC_RS_AUDIENCE": aud},
		"OIDC_RS_RESOURCE": {"OIDC_RS_RESOURCE": "https://api.interop.example"},
	} {
		resp, err := verdict(env, refresh)
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, core.ErrInvalidToken), name)
		assert.Equal(t, http.StatusUnauthorized, resp.Status, name)
	}
	_, err := verdict(map[string]string{"OIDC_RS_AUDIENCE": aud}, mint(asproc.TokenRequest{Audience: aud}))
	require.NoError(t, err, "an access token for the audience passes")

}

// introspectHinted asks the AS about token as the resource server does,
// with token_type_hint=access_token, and decodes the answer.
func introspectHinted(t *testing.T, as *asproc.AS, c rsClient, token string) map[string]any {
	t.Helper()
	form := url.Values{"client_id": {c.id}, "client_secret": {c.secret()}, "token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, as.IntrospectionURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	return m
}
