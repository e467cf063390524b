package suite_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// How many requests the local cases send with one token: bulkRequests
// for RS256, fewer for the other algs (the CPU is shared under -race).
const (
	bulkRequests  = 1000
	otherRequests = 100
)

// signedID is a client that gets signed, unencrypted RFC 9701 answers: a
// JWT the AS signs with its own key that is not an access token.
const signedID = "rs-signed"

func signedOnlyClient() map[string]any {
	m := jsonClient(signedID).metadata()
	m["introspection_signed_response_alg"] = "RS256"
	return m
}

// TestAccessTokens runs node oidc-provider's RFC 9068 JWT access tokens
// (client_credentials with a resource indicator) through every app
// builder: checked locally (OIDC_RS_BACKEND_CLASS=jwt-access-token) with
// each signing alg, refused when not for this resource or not at+jwt, and
// beside JSON introspection (OIDC_RS_LOCAL_JWT=true).
func TestAccessTokens(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	jsonRS := jsonClient("rs-json")
	cfg := asConfig(jsonRS)
	cfg.Clients = append(cfg.Clients, signedOnlyClient())
	cfg.ResourceServers = resourceServers()
	as := asproc.StartT(t, cfg)
	var cases tally
	cases.summary(t, "JWT access tokens")
	g := newGroup(t, &cases)
	defer g.wait()
	for _, b := range appBuilders {
		for _, alg := range signingAlgs {
			g.run("local/"+alg+"/"+b.name, func(t *testing.T) { localAccessTokens(t, as, b, alg) })
		}
		g.run("local/refused/"+b.name, func(t *testing.T) { refusedAccessTokens(t, as, b) })
		g.run("hybrid/"+b.name, func(t *testing.T) { hybridAccessTokens(t, as, b, jsonRS) })
	}
}

// localAccessTokens checks a real at+jwt signed with alg, then sends it
// bulkRequests times (RS256) with the verdict cache off: every request
// verifies the signature, with the one key set fetched, and nothing is
// introspected.
func localAccessTokens(t *testing.T, as *asproc.AS, b appBuilder, alg string) {
	rs, calls := countedRS(t, accessTokenEnv(as, alg, map[string]string{"OIDC_RS_CACHE_TTL": "0"}))
	app := newAppServer(t)
	app.serve(b.build(rs))

	tok := accessToken(t, as, "openid groups admin", resourceFor(alg))
	assert.Equal(t, map[string]any{"alg": alg, "typ": "at+jwt", "kid": alg}, jwsSegment(t, tok, 0))
	claims := jwsSegment(t, tok, 1)
	assert.ElementsMatch(t, []string{"jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud"},
		slices.Collect(maps.Keys(claims)))
	assert.Equal(t, resourceFor(alg), claims["aud"])
	assert.Equal(t, as.URL, claims["iss"])

	// client_credentials: the sub is the client id. openid is not a scope
	// of the resource, so the AS left it out.
	r := call(t, app.URL, "/admin", tok)
	assertAccepted(t, r, spID)
	assert.Equal(t, []string{"groups", "admin"}, r.id.Scopes)
	assert.Equal(t, int64(claims["exp"].(float64)), r.id.Expires)

	n := otherRequests
	if alg == "RS256" {
		n = bulkRequests
	}
	require.Equal(t, n, callMany(t, app.URL, tok, n))
	assert.Equal(t, 1, calls.calls(jwksPath), "JWKS fetches")
	assert.Equal(t, 0, calls.calls(introspectionPath), "introspections")
	assert.Equal(t, 1, calls.total(), "calls to the AS")
}

// refusedAccessTokens checks the refusals of a local resource server
// (RS256, default cache).
func refusedAccessTokens(t *testing.T, as *asproc.AS, b appBuilder) {
	rs, n := countedRS(t, accessTokenEnv(as, "RS256", nil))
	app := newAppServer(t)
	app.serve(b.build(rs))

	// A valid token of the same AS, signed with the same key, for another
	// resource.
	other := accessToken(t, as, "groups", otherResource)
	r := call(t, app.URL, "/me", other)
	assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
	assertDescription(t, r, descWrongResource)
	assert.Contains(t, r.wwwAuth, `error_description="`+descWrongResource+`"`)

	// Scopes: the route's, then OIDC_RS_SCOPES.
	tok := accessToken(t, as, "groups", resourceFor("RS256"))
	assertAccepted(t, call(t, app.URL, "/me", tok), spID)
	r = call(t, app.URL, "/admin", tok)
	assertRejected(t, r, http.StatusForbidden, "insufficient_scope")
	assert.Contains(t, r.wwwAuth, `scope="groups admin"`)
	tok = accessToken(t, as, "admin", resourceFor("RS256"))
	assertRejected(t, call(t, app.URL, "/me", tok), http.StatusForbidden, "insufficient_scope")

	// A JWT the AS signed with the same key that is not an access token:
	// its RFC 9701 answer (typ token-introspection+jwt, iss the AS).
	opaque, _ := mint(t, as, "groups", time.Hour)
	answer := introspectRaw(t, as, jsonClient(signedID), opaque)
	require.Equal(t, "token-introspection+jwt", jwsSegment(t, answer, 0)["typ"])
	r = call(t, app.URL, "/me", answer)
	assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
	assertDescription(t, r, descNotAccessJWT)

	// An ID token's typ (JWT) on an access token's header and claims.
	h := jwsSegment(t, tok, 0)
	h["typ"] = "JWT"
	r = call(t, app.URL, "/me", withHeader(t, tok, h))
	assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
	assertDescription(t, r, descNotAccessJWT)

	// An opaque token is not a JWT access token either: nothing to ask.
	r = call(t, app.URL, "/me", opaque)
	assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
	assert.Equal(t, 1, n.calls(jwksPath), "JWKS fetches")
	assert.Equal(t, 1, n.total(), "calls to the AS")
}

// hybridAccessTokens checks JSON introspection with OIDC_RS_LOCAL_JWT:
// the AS's JWT access tokens are checked locally, opaque tokens
// introspected. The JWKS endpoint is discovered from OIDC_OP_URL; two
// signing algs are accepted.
func hybridAccessTokens(t *testing.T, as *asproc.AS, b appBuilder, c rsClient) {
	rs, n := countedRS(t, c.env(as, map[string]string{
		"OIDC_RS_LOCAL_JWT":    "true",
		"OIDC_RS_RESOURCE":     resourceFor("ES256"),
		"OIDC_RS_SIGNING_ALGO": "ES256, RS256", // otherResource's tokens are RS256
	}))
	app := newAppServer(t)
	app.serve(b.build(rs))

	jwt := accessToken(t, as, "groups", resourceFor("ES256"))
	assertAccepted(t, call(t, app.URL, "/me", jwt), spID)
	assert.Equal(t, 0, n.calls(introspectionPath), "introspections after the JWT")
	assert.Equal(t, 1, n.calls(jwksPath), "JWKS fetches")

	// An opaque token bound to this resource (its introspection aud), as
	// an AS with resource indicators binds it.
	sub := newAccount()
	opaque := func() string {
		ctx := context.Background()
		defer throttle(ctx)()
		resp, err := as.Mint(ctx, asproc.TokenRequest{AccountID: sub, ClientID: spID, Scope: "groups",
			Audience: resourceFor("ES256")})
		require.NoError(t, err)
		return resp.AccessToken
	}()
	assertAccepted(t, call(t, app.URL, "/me", opaque), sub)
	assert.Equal(t, 1, n.calls(introspectionPath), "introspections after the opaque token")

	// An at+jwt of this issuer that fails the local checks is refused,
	// not introspected.
	r := call(t, app.URL, "/me", accessToken(t, as, "groups", otherResource))
	assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
	assertDescription(t, r, descWrongResource)

	assert.Equal(t, 1, n.calls(introspectionPath), "introspections")
	assert.Equal(t, 1, n.calls(jwksPath), "JWKS fetches")
	assert.Equal(t, 1, n.calls("/.well-known/openid-configuration"), "discovery")
	assert.Equal(t, 3, n.total(), "calls to the AS")
}
