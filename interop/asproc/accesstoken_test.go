package asproc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// jwsPart decodes the n-th segment of a compact JWS.
func jwsPart(t *testing.T, token string, n int) map[string]any {
	t.Helper()
	p := strings.Split(token, ".")
	require.Len(t, p, 3, "a compact JWS")
	raw, err := base64.RawURLEncoding.DecodeString(p[n])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestJWTAccessTokens(t *testing.T) {
	t.Parallel()
	const resource = "https://api.example/"
	cfg := asproc.Config{
		Clients:         []map[string]any{spClient()},
		Scopes:          []string{"groups", "admin"},
		SigningKeys:     []string{"RS256", "ES256"}, // clients default to RS256 ID tokens
		ResourceServers: map[string]asproc.ResourceServer{resource: {Scope: "groups", Alg: "ES256", TTL: 120}},
		MaxLifetime:     2 * time.Minute,
	}
	as := asproc.StartT(t, cfg)
	ctx := context.Background()

	tok, err := as.ClientCredentialsFor(ctx, spID, spSecret, "openid groups admin", resource)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": "ES256"}, jwsPart(t, tok, 0))
	c := jwsPart(t, tok, 1)
	assert.Equal(t, spID, c["sub"], "client_credentials: sub is the client id")
	assert.Equal(t, spID, c["client_id"])
	assert.Equal(t, as.URL, c["iss"])
	assert.Equal(t, resource, c["aud"])
	assert.Equal(t, "groups", c["scope"], "only the resource's scopes")
	assert.InDelta(t, 120, c["exp"].(float64)-c["iat"].(float64), 1)
	assert.NotEmpty(t, c["jti"])

	_, err = as.ClientCredentialsFor(ctx, spID, spSecret, "groups", "https://unknown.example/")
	require.ErrorContains(t, err, "invalid_target")

	opaque, err := as.ClientCredentials(ctx, spID, spSecret, "groups")
	require.NoError(t, err)
	assert.Equal(t, 0, strings.Count(opaque, "."), "no resource: opaque")

	// A restart on the same port keeps the issuer; new kids with a suffix.
	require.NoError(t, as.Close())
	u, err := url.Parse(as.URL)
	require.NoError(t, err)
	cfg.Port, err = strconv.Atoi(u.Port())
	require.NoError(t, err)
	cfg.KeyIDSuffix = "-new"
	again := asproc.StartT(t, cfg)
	assert.Equal(t, as.URL, again.URL)
	tok, err = again.ClientCredentialsFor(ctx, spID, spSecret, "groups", resource)
	require.NoError(t, err)
	assert.Equal(t, "ES256-new", jwsPart(t, tok, 0)["kid"])
}
