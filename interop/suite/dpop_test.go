package suite_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// dpopMode is one way a resource server checks node's DPoP-bound tokens.
type dpopMode struct {
	name string
	// resource is the resource indicator of the tokens ("": opaque).
	resource string
	// env is the resource server's environment, its app served at app;
	// extra entries override.
	env func(app *appServer, extra map[string]string) map[string]string
	// boundClaims returns what the AS told this mode about tok: the
	// introspection answer, the RFC 9701 answer's token_introspection, or
	// the at+jwt's claims.
	boundClaims func(t *testing.T, tok string) map[string]any
}

// TestDPoP runs node oidc-provider's DPoP-bound tokens (RFC 9449: the
// client_credentials grant with a DPoP proof) through core's net/http
// middleware, with JSON introspection, RFC 9701 JWT answers and local
// RFC 9068 checks. Each resource server's OIDC_RS_EXTERNAL_URL is its app
// server's URL, the origin of every htu; OIDC_RS_DPOP is left at its
// default (allowed).
func TestDPoP(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	jsonRS := jsonClient("rs-dpop-json")
	jwtRS := jwtClient(t, "rs-dpop-jwt")
	cfg := asConfig(jsonRS, jwtRS)
	cfg.ResourceServers = resourceServers()
	as := asproc.StartT(t, cfg)
	// The AS fetches rs-dpop-jwt's key from this app; the cases run on
	// apps of their own with the same settings.
	jwtRS.app.serve(netHTTPApp(newRS(t, jwtRS.env(as, nil))))

	external := func(app *appServer, extra map[string]string) map[string]string {
		e := map[string]string{"OIDC_RS_EXTERNAL_URL": app.URL}
		maps.Copy(e, extra)
		return e
	}
	modes := []dpopMode{
		{name: "json",
			env: func(app *appServer, x map[string]string) map[string]string {
				return jsonRS.env(as, external(app, x))
			},
			boundClaims: func(t *testing.T, tok string) map[string]any { return introspectJSON(t, as, jsonRS, tok) }},
		{name: "jwt",
			env: func(app *appServer, x map[string]string) map[string]string {
				return jwtRS.env(as, external(app, x))
			},
			boundClaims: func(t *testing.T, tok string) map[string]any {
				ti, ok := introspectionClaims(t, as, jwtRS, tok)["token_introspection"].(map[string]any)
				require.True(t, ok, "token_introspection")
				return ti
			}},
		{name: "local", resource: resourceFor("ES256"),
			env: func(app *appServer, x map[string]string) map[string]string {
				return accessTokenEnv(as, "ES256", external(app, x))
			},
			boundClaims: func(t *testing.T, tok string) map[string]any {
				assert.Equal(t, "at+jwt", jwsSegment(t, tok, 0)["typ"])
				return jwsSegment(t, tok, 1)
			}},
	}
	var cases tally
	t.Cleanup(func() {
		t.Logf("DPoP: %d cases passed through core's net/http middleware against oidc-provider 9.13.3",
			cases.passed.Load())
	})
	g := newGroup(t, nil)
	defer g.wait()
	for _, m := range modes {
		g.run(m.name, func(t *testing.T) {
			c := newGroup(t, &cases)
			defer c.wait()
			dpopCases(t, as, m, c)
		})
	}
}

// dpopCase is one case's resource server, app and client key.
type dpopCase struct {
	app   *appServer
	calls *pathCounter
	key   crypto.Signer
}

// dpopCases runs every case of mode, each on a resource server of its own
// with the default verdict cache.
func dpopCases(t *testing.T, as *asproc.AS, m dpopMode, cases *group) {
	setupWith := func(t *testing.T, extra map[string]string) dpopCase {
		app := newAppServer(t)
		rs, calls := countedRS(t, m.env(app, extra))
		app.serve(netHTTPApp(rs))
		return dpopCase{app: app, calls: calls, key: newECKey(t)}
	}
	setup := func(t *testing.T) dpopCase { return setupWith(t, nil) }
	// fresh returns a token bound to c.key, and the proof for it.
	fresh := func(t *testing.T, c dpopCase) (tok string, good func() string) {
		tok = dpopToken(t, as, m.resource, c.key)
		return tok, func() string { return goodProof(t, c.key, c.app.URL, "/me", tok) }
	}

	cases.run("the AS bound the token", func(t *testing.T) {
		key := newECKey(t)
		claims := m.boundClaims(t, dpopToken(t, as, m.resource, key))
		assert.Equal(t, map[string]any{"jkt": thumbprint(t, key)}, claims["cnf"])
		if m.resource == "" {
			assert.Equal(t, "DPoP", claims["token_type"])
		}
	})

	cases.run("valid proof, twice, the second from the cache", func(t *testing.T) {
		c := setup(t)
		tok, good := fresh(t, c)
		assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, good()))
		first := c.calls.total()
		assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, good()))
		assert.Equal(t, first, c.calls.total(), "the second request called the AS")
		if m.resource == "" {
			assert.Equal(t, 1, c.calls.calls(introspectionPath), "introspections")
		} else {
			assert.Equal(t, 0, c.calls.calls(introspectionPath), "introspections")
		}
	})

	cases.run("valid proof, Ed25519 key", func(t *testing.T) {
		c := setup(t)
		_, ed, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		c.key = ed
		tok, good := fresh(t, c)
		assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, good()))
	})

	cases.run("replayed proof", func(t *testing.T) {
		c := setup(t)
		tok, good := fresh(t, c)
		p := good()
		assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, p))
		// The verdict is cached; the proof is checked all the same.
		assertChallenged(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, p), "DPoP", "invalid_dpop_proof")
	})

	// Each refusal comes first, with a token the resource server has not
	// seen; then the same token with a good proof is accepted: a bad proof
	// says nothing about the token.
	refusals := []struct {
		name, scheme, code string
		send               func(t *testing.T, c dpopCase, tok string) result
	}{
		{"wrong htu", "DPoP", "invalid_dpop_proof", func(t *testing.T, c dpopCase, tok string) result {
			p := proof(t, c.key, asproc.Proof{Method: http.MethodGet, URI: c.app.URL + "/admin", AccessToken: tok})
			return dpopCall(t, c.app.URL, "/me", "DPoP", tok, p)
		}},
		{"wrong htm", "DPoP", "invalid_dpop_proof", func(t *testing.T, c dpopCase, tok string) result {
			p := proof(t, c.key, asproc.Proof{Method: http.MethodPost, URI: c.app.URL + "/me", AccessToken: tok})
			return dpopCall(t, c.app.URL, "/me", "DPoP", tok, p)
		}},
		{"proof without ath", "DPoP", "invalid_dpop_proof", func(t *testing.T, c dpopCase, tok string) result {
			p := proof(t, c.key, asproc.Proof{Method: http.MethodGet, URI: c.app.URL + "/me"})
			return dpopCall(t, c.app.URL, "/me", "DPoP", tok, p)
		}},
		{"proof by another key", "DPoP", "invalid_token", func(t *testing.T, c dpopCase, tok string) result {
			return dpopCall(t, c.app.URL, "/me", "DPoP", tok, goodProof(t, newECKey(t), c.app.URL, "/me", tok))
		}},
		{"bound token sent as Bearer", "Bearer", "invalid_token", func(t *testing.T, c dpopCase, tok string) result {
			return dpopCall(t, c.app.URL, "/me", "Bearer", tok)
		}},
	}
	for _, rc := range refusals {
		cases.run(rc.name, func(t *testing.T) {
			c := setup(t)
			tok, good := fresh(t, c)
			assertChallenged(t, rc.send(t, c, tok), rc.scheme, rc.code)
			assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, good()))
		})
	}

	cases.run("unbound token sent with the DPoP scheme", func(t *testing.T) {
		c := setup(t)
		plain := accessToken(t, as, "groups", m.resource)
		r := dpopCall(t, c.app.URL, "/me", "DPoP", plain, goodProof(t, c.key, c.app.URL, "/me", plain))
		assertChallenged(t, r, "DPoP", "invalid_token")
		// As a Bearer token it is good (OIDC_RS_DPOP=allowed).
		assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "Bearer", plain))
	})

	cases.run("OIDC_RS_DPOP=required", func(t *testing.T) {
		c := setupWith(t, map[string]string{"OIDC_RS_DPOP": "required"})
		plain := accessToken(t, as, "groups", m.resource)
		r := dpopCall(t, c.app.URL, "/me", "Bearer", plain)
		assertChallenged(t, r, "DPoP", "invalid_token")
		chs, err := parseChallenges(r.wwwAuth)
		require.NoError(t, err)
		for _, ch := range chs {
			assert.NotEqual(t, "bearer", strings.ToLower(ch.scheme), "no Bearer challenge: %s", r.wwwAuth)
		}
		tok, good := fresh(t, c)
		assertDPoPAccepted(t, dpopCall(t, c.app.URL, "/me", "DPoP", tok, good()))
	})
}
