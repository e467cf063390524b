package core_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Hybrid mode (LocalJWT beside introspection), discovery, and several
// issuers in one ResourceServer.

func TestHybridMode(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	st := as.Settings("")
	st.LocalJWT, st.Resource, st.SigningAlgorithm = true, as.Resource(), "ES256"
	st.DisableCache = true
	rs, err := core.New(st)
	require.NoError(t, err)

	_, err = btAuth(rs, as.MintAccessToken(nil, nil))
	require.NoError(t, err)
	assert.Zero(t, as.IntrospectionCalls(), "a JWT access token of our issuer is checked locally")

	// With OIDC_RS_RESOURCE set, an introspected token's aud must name it too.
	_, err = btAuth(rs, as.Mint(map[string]any{"aud": as.Resource()}))
	require.NoError(t, err)
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "an opaque token is introspected")

	_, err = btAuth(rs, as.MintAccessToken(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}, nil))
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescExpired)
	_, err = btAuth(rs, as.MintAccessToken(nil, map[jose.HeaderKey]any{"kid": "forged"}))
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenSignature)
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "a bad JWT of our issuer does not fall through to introspection")
	_, err = btAuth(rs, as.Mint(nil)) // an opaque token for another audience
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescWrongResource)

	_, err = btAuth(rs, as.MintAccessToken(map[string]any{"iss": "https://elsewhere.example"}, nil))
	require.Error(t, err)
	assert.EqualValues(t, 3, as.IntrospectionCalls(), "another issuer's JWT is introspected (the kit does not know it)")
	_, err = btAuth(rs, as.MintAccessToken(nil, map[jose.HeaderKey]any{"typ": "JWT"}))
	require.Error(t, err)
	assert.EqualValues(t, 4, as.IntrospectionCalls(), "a JWT that is not typ at+jwt is introspected")
}

func TestDiscovery(t *testing.T) {
	t.Parallel()
	discovered := func(t *testing.T, as *oidcrstest.Server, edit func(*core.Settings), opts ...core.Option) *core.ResourceServer {
		st := as.Settings("")
		st.IntrospectionEndpoint, st.JWKSEndpoint = "", ""
		if edit != nil {
			edit(&st)
		}
		rs, err := core.New(st, opts...)
		require.NoError(t, err)
		return rs
	}
	t.Run("answering", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		rs := discovered(t, as, nil)
		for range 20 {
			_, err := btAuth(rs, as.Mint(nil))
			require.NoError(t, err)
		}
		assert.EqualValues(t, 1, as.DiscoveryCalls(), "read once and kept")
	})
	t.Run("down at start, then up", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		as.SetDiscoveryFault(&oidcrstest.FaultDown)
		rs := discovered(t, as, nil) // starts before its authorization server
		_, err := btAuth(rs, as.Mint(nil))
		btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescDiscoveryFailed)
		as.SetDiscoveryFault(nil)
		require.Eventually(t, func() bool { _, err := btAuth(rs, as.Mint(nil)); return err == nil },
			10*time.Second, 100*time.Millisecond, "discovery is tried again (at most once a second)")
	})
	t.Run("issuer mismatch", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{DiscoveryIssuer: "https://impostor.example"})
		logger, sink := btLogger()
		rs := discovered(t, as, nil, core.WithLogger(logger))
		_, err := btAuth(rs, as.Mint(nil))
		btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescDiscoveryFailed)
		assert.Contains(t, btLevels(sink.records(t)), "ERROR")
		assert.Contains(t, sink.String(), "configuration error")
	})
	t.Run("explicit settings win", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		rs := btRS(t, as, nil)
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		assert.Zero(t, as.DiscoveryCalls())
	})
	t.Run("JWT access tokens", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
		st := as.AccessTokenSettings()
		st.JWKSEndpoint = ""
		rs, err := core.New(st)
		require.NoError(t, err)
		_, err = btAuth(rs, as.MintAccessToken(nil, nil))
		require.NoError(t, err)
		assert.EqualValues(t, 1, as.DiscoveryCalls())
	})
	t.Run("RFC 8414 fallback with an issuer path", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		var issuer string
		meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/.well-known/oauth-authorization-server/tenant" {
				http.NotFound(w, r)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "introspection_endpoint": as.IntrospectionURL()})
		}))
		t.Cleanup(meta.Close)
		issuer = meta.URL + "/tenant"
		rs := discovered(t, as, func(s *core.Settings) { s.Issuer = issuer })
		_, err := btAuth(rs, as.Mint(map[string]any{"iss": issuer}))
		require.NoError(t, err)
	})
}

func TestSeveralIssuers(t *testing.T) {
	t.Parallel()
	a := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256, Resource: "https://api.example"})
	b := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.RS256, Resource: "https://api.example"})
	rs, err := core.New(a.AccessTokenSettings(), core.WithIssuer(b.AccessTokenSettings()))
	require.NoError(t, err)
	ti, err := btAuth(rs, a.MintAccessToken(nil, nil))
	require.NoError(t, err)
	assert.Equal(t, a.URL, ti.Issuer)
	ti, err = btAuth(rs, b.MintAccessToken(nil, nil))
	require.NoError(t, err)
	assert.Equal(t, b.URL, ti.Issuer)
	assert.EqualValues(t, 1, a.JWKSCalls())
	assert.EqualValues(t, 1, b.JWKSCalls(), "each issuer has its own key set")

	forged := b.MintAccessToken(map[string]any{"iss": a.URL}, nil) // claims A, signed by B
	_, err = btAuth(rs, forged)
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenSignature)
	_, err = btAuth(rs, "an-opaque-token")
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescUnknownIssuer)

	t.Run("opaque tokens go to the introspecting one", func(t *testing.T) {
		c := oidcrstest.Start(t, oidcrstest.Config{})
		rs, err := core.New(c.Settings(""), core.WithIssuer(a.AccessTokenSettings()))
		require.NoError(t, err)
		_, err = btAuth(rs, c.Mint(nil))
		require.NoError(t, err)
		_, err = btAuth(rs, a.MintAccessToken(nil, nil))
		require.NoError(t, err)
		assert.EqualValues(t, 1, c.IntrospectionCalls())
	})
	t.Run("misconfigurations", func(t *testing.T) {
		c := oidcrstest.Start(t, oidcrstest.Config{})
		_, err := core.New(c.Settings(""), core.WithIssuer(c.Settings("")))
		assert.ErrorContains(t, err, "only one configuration may introspect")
		_, err = core.New(a.AccessTokenSettings(), core.WithIssuer(a.AccessTokenSettings()))
		assert.ErrorContains(t, err, "two configurations")
		bad := b.AccessTokenSettings()
		bad.Resource = ""
		_, err = core.New(a.AccessTokenSettings(), core.WithIssuer(bad))
		assert.ErrorContains(t, err, "OIDC_RS_RESOURCE")
		assert.True(t, strings.Contains(err.Error(), "WithIssuer 1"))
	})
}

func TestAccessTokenEnvironment(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.PS256})
	env := map[string]string{
		"OIDC_RS_BACKEND_CLASS": "jwt-access-token",
		"OIDC_OP_URL":           as.URL,
		"OIDC_RS_RESOURCE":      as.Resource(),
		"OIDC_RS_SIGNING_ALGO":  "RS256, PS256",
		"OIDC_RS_SCOPES":        "groups",
	}
	rs, err := core.NewFromEnv(btEnv(env)) // no client credentials, no endpoints: discovery
	require.NoError(t, err)
	_, err = btAuth(rs, as.MintAccessToken(nil, nil))
	require.NoError(t, err)
	assert.Zero(t, as.IntrospectionCalls())
	assert.Equal(t, core.BackendJWTAccessToken, rs.Settings().Backend)

	env["OIDC_RS_SIGNING_ALGO"] = "HS256"
	_, err = core.NewFromEnv(btEnv(env))
	assert.ErrorContains(t, err, "OIDC_RS_SIGNING_ALGO")
	delete(env, "OIDC_RS_SIGNING_ALGO")
	delete(env, "OIDC_RS_RESOURCE")
	_, err = core.NewFromEnv(btEnv(env))
	assert.ErrorContains(t, err, "OIDC_RS_RESOURCE")

	hybrid := btEnvFor(as, map[string]string{"OIDC_RS_LOCAL_JWT": "true", "OIDC_RS_RESOURCE": as.Resource(),
		"OIDC_RS_SIGNING_ALGO": "PS256"})
	rs, err = core.NewFromEnv(btEnv(hybrid))
	require.NoError(t, err)
	assert.True(t, rs.Settings().LocalJWT)
	hybrid["OIDC_RS_LOCAL_JWT"] = "maybe"
	_, err = core.NewFromEnv(btEnv(hybrid))
	assert.ErrorContains(t, err, "OIDC_RS_LOCAL_JWT")
}
