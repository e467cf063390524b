package core_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// RFC 9068 JWT access tokens checked locally: RFC 9068 section 4 and RFC
// 8725, against the kit's signing keys.

// atServer starts the kit signing with alg and a local resource server.
func atServer(t *testing.T, alg jose.SignatureAlgorithm, opts ...core.Option) (*oidcrstest.Server, *core.ResourceServer) {
	t.Helper()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: alg})
	rs, err := core.New(as.AccessTokenSettings(), opts...)
	require.NoError(t, err)
	return as, rs
}

// craft builds a compact JWS from a header, claims and a signature
// function over the signing input: for tokens no library signs.
func craft(header, claims map[string]any, sign func(input string) []byte) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign(input))
}

func TestAccessTokenAlgorithms(t *testing.T) {
	t.Parallel()
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.PS256} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			as, rs := atServer(t, alg)
			ti, err := btAuth(rs, as.MintAccessToken(map[string]any{"sub": "alice", "scope": "groups openid"}, nil))
			require.NoError(t, err)
			assert.Equal(t, "alice", ti.Subject)
			assert.Equal(t, []string{"groups", "openid"}, ti.Scopes)
			assert.Equal(t, oidcrstest.DefaultSPClientID, ti.OriginAudience(), "the origin audience is client_id")
			assert.Equal(t, as.URL, ti.Issuer)
			assert.False(t, ti.ExpiresAt.IsZero())
			assert.Zero(t, as.IntrospectionCalls())
		})
	}
}

func TestAccessTokenChecks(t *testing.T) {
	t.Parallel()
	as, rs := atServer(t, jose.ES256)
	other := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	past, future := time.Now().Add(-time.Hour).Unix(), time.Now().Add(time.Hour).Unix()
	var jkuHits atomic.Int64
	jku := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		jkuHits.Add(1)
		_, _ = w.Write([]byte(`{"keys":[]}`))
	}))
	t.Cleanup(jku.Close)
	sk := as.SigningKey()
	pub := sk.Public()
	otherKey := other.SigningKey()
	otherPub := otherKey.Public()
	der, err := x509.MarshalPKIXPublicKey(pub.Key)
	require.NoError(t, err)
	hs256 := craft(map[string]any{"alg": "HS256", "typ": "at+jwt", "kid": pub.KeyID},
		map[string]any{"iss": as.URL, "aud": as.Resource(), "sub": "x", "scope": "groups", "client_id": "c", "exp": future},
		func(in string) []byte { m := hmac.New(sha256.New, der); m.Write([]byte(in)); return m.Sum(nil) })
	none := craft(map[string]any{"alg": "none", "typ": "at+jwt"},
		map[string]any{"iss": as.URL, "aud": as.Resource(), "sub": "x", "scope": "groups", "client_id": "c", "exp": future},
		func(string) []byte { return nil })
	for _, tc := range []struct {
		name, token string
		kind        error
		desc        string
		status      int
	}{
		{"good", as.MintAccessToken(nil, nil), nil, "", 200},
		{"typ application/at+jwt", as.MintAccessToken(nil, map[jose.HeaderKey]any{"typ": "application/at+jwt"}), nil, "", 200},
		{"aud array with the resource", as.MintAccessToken(map[string]any{"aud": []string{"https://other", as.Resource()}}, nil), nil, "", 200},
		{"typ JWT (an ID token)", as.MintAccessToken(nil, map[jose.HeaderKey]any{"typ": "JWT"}), core.ErrInvalidToken, core.DescTokenType, 401},
		{"no typ", as.MintAccessToken(nil, map[jose.HeaderKey]any{"typ": nil}), core.ErrInvalidToken, core.DescTokenType, 401},
		{"wrong iss", as.MintAccessToken(map[string]any{"iss": "https://evil.example"}, nil), core.ErrInvalidToken, core.DescInvalidClaims, 401},
		{"wrong aud", as.MintAccessToken(map[string]any{"aud": "https://other.example/api"}, nil), core.ErrInvalidToken, core.DescWrongResource, 401},
		{"no aud", as.MintAccessToken(map[string]any{"aud": nil}, nil), core.ErrInvalidToken, core.DescWrongResource, 401},
		{"wrong aud before no exp", as.MintAccessToken(map[string]any{"aud": "https://other.example/api", "exp": nil}, nil),
			core.ErrInvalidToken, core.DescWrongResource, 401},
		{"expired", as.MintAccessToken(map[string]any{"exp": past}, nil), core.ErrInvalidToken, core.DescExpired, 401},
		{"no exp", as.MintAccessToken(map[string]any{"exp": nil}, nil), core.ErrInvalidToken, core.DescInvalidClaims, 401},
		{"future nbf", as.MintAccessToken(map[string]any{"nbf": future}, nil), core.ErrInvalidToken, core.DescNotYetValid, 401},
		{"exp not a number", as.MintAccessToken(map[string]any{"exp": "soon"}, nil), core.ErrInvalidToken, core.DescTokenMalformed, 401},
		{"no configured scope", as.MintAccessToken(map[string]any{"scope": "email"}, nil), core.ErrInsufficientScope, core.DescTokenScopesMismatch, 403},
		{"alg none", none, core.ErrInvalidToken, core.DescTokenSignature, 401},
		{"HS256 with the public key's bytes", hs256, core.ErrInvalidToken, core.DescTokenSignature, 401},
		{"signed by another issuer's key", other.MintAccessToken(map[string]any{"iss": as.URL}, map[jose.HeaderKey]any{"kid": pub.KeyID}),
			core.ErrInvalidToken, core.DescTokenSignature, 401},
		{"crit", as.MintAccessToken(nil, map[jose.HeaderKey]any{"crit": []string{"exp"}}), core.ErrInvalidToken, core.DescTokenMalformed, 401},
		{"zip", as.MintAccessToken(nil, map[jose.HeaderKey]any{"zip": "DEF"}), core.ErrInvalidToken, core.DescTokenMalformed, 401},
		{"embedded jwk", other.MintAccessToken(map[string]any{"iss": as.URL}, map[jose.HeaderKey]any{"jwk": otherPub, "kid": pub.KeyID}),
			core.ErrInvalidToken, core.DescTokenSignature, 401},
		{"jku and x5u", other.MintAccessToken(map[string]any{"iss": as.URL}, map[jose.HeaderKey]any{"jku": jku.URL, "x5u": jku.URL, "kid": pub.KeyID}),
			core.ErrInvalidToken, core.DescTokenSignature, 401},
		{"JWE wrapped", "eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d", core.ErrInvalidToken, core.DescTokenEncrypted, 401},
		{"two segments", "abc.def", core.ErrInvalidToken, core.DescTokenMalformed, 401},
		{"opaque", "opaque-token-value", core.ErrInvalidToken, core.DescTokenMalformed, 401},
		{"garbage header", "!!!.e30.sig", core.ErrInvalidRequest, core.DescMalformedHeader, 400},
		{"undecodable header", "e30x.e30.c2ln", core.ErrInvalidToken, core.DescTokenMalformed, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti, err := btAuth(rs, tc.token)
			if tc.kind == nil {
				require.NoError(t, err)
				require.NotNil(t, ti)
				return
			}
			btRejected(t, rs, err, tc.kind, tc.status, tc.desc)
		})
	}
	assert.Zero(t, jkuHits.Load(), "jku and x5u are never fetched")
	assert.Zero(t, as.IntrospectionCalls())
}

// TestAccessTokenJWKSFailures: the JWKS endpoint unreachable is 503, an
// unusable one 502, never invalid_token.
func TestAccessTokenJWKSFailures(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		fault  oidcrstest.Fault
		status int
	}{
		"down":    {oidcrstest.FaultDown, http.StatusServiceUnavailable},
		"500":     {oidcrstest.FaultServerError, http.StatusServiceUnavailable},
		"garbage": {oidcrstest.FaultGarbage, http.StatusBadGateway},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			as, rs := atServer(t, jose.ES256)
			as.SetJWKSFault(&tc.fault)
			_, err := btAuth(rs, as.MintAccessToken(nil, nil))
			require.Error(t, err)
			assert.Equal(t, tc.status, rs.ErrorResponse(err).Status)
			btNotInvalidToken(t, err)
		})
	}
}

// TestAccessTokenCaching: 1,000 requests, one JWKS fetch and no
// introspection; a hit returns the cached verdict without verifying the
// signature again (it survives the JWKS endpoint going away).
func TestAccessTokenCaching(t *testing.T) {
	t.Parallel()
	clock := newBTClock()
	as, rs := atServer(t, jose.ES256, core.WithClock(clock.Now))
	tok := as.MintAccessToken(nil, nil)
	first, err := btAuth(rs, tok)
	require.NoError(t, err)
	for range 1000 {
		ti, err := btAuth(rs, tok)
		require.NoError(t, err)
		require.Same(t, first, ti, "a cache hit")
	}
	assert.EqualValues(t, 1, as.JWKSCalls())
	assert.Zero(t, as.IntrospectionCalls())
	as.SetJWKSFault(&oidcrstest.FaultDown)
	clock.Advance(30 * time.Second)
	_, err = btAuth(rs, tok)
	require.NoError(t, err, "no verification on a hit")
	for range 10 {
		tok2 := as.MintAccessToken(map[string]any{"sub": strings.Repeat("b", 3)}, nil)
		_, err := btAuth(rs, tok2)
		require.NoError(t, err, "new tokens verify with the cached keys")
	}
}

// TestAccessTokenKeyReplacedUnderTheSameKid: an issuer that restarts with
// new keys under the same kid (node oidc-provider's kids are alg names)
// is followed after one refetch, at most once per 5 s, not after the JWKS
// expires.
func TestAccessTokenKeyReplacedUnderTheSameKid(t *testing.T) {
	t.Parallel()
	clock := newBTClock()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	st := as.AccessTokenSettings()
	st.Leeway = time.Minute
	rs, err := core.New(st, core.WithClock(clock.Now))
	require.NoError(t, err)
	oldKid := as.SigningKey().KeyID
	_, err = btAuth(rs, as.MintAccessToken(nil, nil))
	require.NoError(t, err)
	require.NoError(t, as.ReplaceSigningKey())
	require.Equal(t, oldKid, as.SigningKey().KeyID)
	clock.Advance(6 * time.Second)
	_, err = btAuth(rs, as.MintAccessToken(nil, nil))
	require.NoError(t, err, "the new key under the old kid is fetched")
	assert.EqualValues(t, 2, as.JWKSCalls())
	_, err = btAuth(rs, as.MintAccessToken(map[string]any{"jti": "x"}, nil))
	require.NoError(t, err)
	assert.EqualValues(t, 2, as.JWKSCalls(), "no fetch while the keys verify")
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
