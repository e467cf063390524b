package core_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Routing a token to its issuer: hybrid mode (LocalJWT beside
// introspection) and several issuers in one ResourceServer.

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
	good := as.MintAccessToken(nil, nil)
	_, err = btAuth(rs, good[:len(good)-4]+"AAAA") // a forged signature
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

// TestHybridJWTTypes: in hybrid mode a JWT whose typ the issuer accepts
// (OIDC_RS_JWT_TYPES) is checked locally; one whose typ it does not is
// introspected, and the operator is told so once per issuer, at Info,
// without the token.
func TestHybridJWTTypes(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	hybrid := func(types ...string) (*core.ResourceServer, *btLogSink) {
		st := as.Settings("")
		st.LocalJWT, st.Resource, st.SigningAlgorithm, st.JWTTypes = true, as.Resource(), "ES256", types
		st.DisableCache = true
		logger, sink := btLogger()
		rs, err := core.New(st, core.WithLogger(logger))
		require.NoError(t, err)
		return rs, sink
	}
	jwt := map[jose.HeaderKey]any{jose.HeaderType: "JWT"}

	t.Run("accepted typ is checked locally", func(t *testing.T) {
		as.ResetCounts()
		rs, sink := hybrid("at+jwt", "JWT")
		_, err := btAuth(rs, as.MintAccessToken(nil, jwt))
		require.NoError(t, err)
		_, err = btAuth(rs, as.MintAccessToken(map[string]any{"nonce": "n"}, jwt))
		btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNotAccessToken)
		assert.Zero(t, as.IntrospectionCalls())
		assert.NotContains(t, sink.String(), "OIDC_RS_JWT_TYPES")
	})
	t.Run("other typ is introspected and logged once", func(t *testing.T) {
		rs, sink := hybrid()
		var toks []string
		for range 3 {
			tok := as.MintAccessToken(nil, jwt)
			toks = append(toks, tok)
			_, err := btAuth(rs, tok)
			btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive) // unknown to the kit's introspection
		}
		var infos []map[string]any
		for _, r := range sink.records(t) {
			if r["level"] == "INFO" {
				infos = append(infos, r)
			}
		}
		require.Len(t, infos, 1, "once per issuer")
		assert.Contains(t, infos[0]["msg"], "OIDC_RS_JWT_TYPES")
		assert.Equal(t, as.URL, infos[0]["issuer"])
		assert.Equal(t, "JWT", infos[0]["typ"])
		for _, tok := range toks {
			assert.NotContains(t, sink.String(), tok)
		}
		_, err := btAuth(rs, as.Mint(map[string]any{"aud": as.Resource()}))
		require.NoError(t, err, "opaque tokens are not noted")
	})
}

// TestLocalOnlyIssuersRefuseOtherTyp: with several issuers and none that
// introspects, a JWT of a known issuer whose typ is not accepted is
// refused for its typ, not as from an unknown issuer.
func TestLocalOnlyIssuersRefuseOtherTyp(t *testing.T) {
	t.Parallel()
	a := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256, Resource: "https://api.example"})
	b := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256, Resource: "https://api.example"})
	bst := b.AccessTokenSettings()
	bst.JWTTypes = []string{"JWT"}
	rs, err := core.New(a.AccessTokenSettings(), core.WithIssuer(bst))
	require.NoError(t, err)
	jwt := map[jose.HeaderKey]any{jose.HeaderType: "JWT"}
	_, err = btAuth(rs, a.MintAccessToken(nil, jwt))
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenType)
	_, err = btAuth(rs, b.MintAccessToken(nil, jwt))
	require.NoError(t, err, "each issuer's own types decide")
	_, err = btAuth(rs, b.MintAccessToken(nil, nil))
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescTokenType)
}
