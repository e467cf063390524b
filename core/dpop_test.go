package core_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
)

// TestDPoPProofOnEveryRequest checks, for each backend, that a token bound
// to a key passes with a proof of that key, that a second request with a
// fresh proof is answered from the cache, and that the cache holds the
// token's verdict, never the proof: the first proof, replayed on the
// cached token, is refused.
func TestDPoPProofOnEveryRequest(t *testing.T) {
	t.Parallel()
	for _, b := range dpopBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env := newDPoPEnv(t, b)
			h := dpopHandler(env.rs(t, func(s *core.Settings) { s.DisableCache, s.CacheTTL = false, time.Hour }))
			c := newDPoPClient(t)
			tok := env.boundTo(c)
			auth := []string{"DPoP " + tok}

			first := c.get(t, tok)
			dpopOK(t, dpopServe(h, auth, []string{first}))
			asked := env.calls()
			require.Positive(t, asked, "the first request checks the token with the authorization server")

			dpopOK(t, dpopServe(h, auth, []string{c.get(t, tok)}))
			dpopOK(t, dpopServe(h, []string{"dpop  " + tok}, []string{c.get(t, tok)})) // the scheme is case-insensitive
			assert.Equal(t, asked, env.calls(), "a cached token costs the authorization server nothing")
			if !env.local {
				assert.EqualValues(t, 1, env.as.IntrospectionCalls())
			}

			dpopRefused(t, dpopServe(h, auth, []string{first}), http.StatusUnauthorized,
				"invalid_dpop_proof", descProof, dpopChallenge("invalid_dpop_proof", descProof))
		})
	}
}

// TestDPoPBadProof checks that every kind of bad proof is answered 401
// invalid_dpop_proof on the DPoP challenge alone, and that the proof is
// checked before the token: the authorization server is not asked (the
// cache is off, so a token check would ask it).
func TestDPoPBadProof(t *testing.T) {
	t.Parallel()
	type sent struct{ auth, proofs []string }
	for _, tc := range []struct {
		name string
		// send returns what the request carries for tok, bound to c; it
		// may first send good requests to h.
		send func(t *testing.T, h http.Handler, c *dpopClient, tok string) sent
	}{
		{"replayed jti", func(t *testing.T, h http.Handler, c *dpopClient, tok string) sent {
			p := c.get(t, tok)
			dpopOK(t, dpopServe(h, []string{"DPoP " + tok}, []string{p}))
			return sent{[]string{"DPoP " + tok}, []string{p}}
		}},
		{"jti reused with another iat", func(t *testing.T, h http.Handler, c *dpopClient, tok string) sent {
			same := func(m map[string]any) { m["jti"] = "one-jti" }
			dpopOK(t, dpopServe(h, []string{"DPoP " + tok}, []string{c.get(t, tok, same)}))
			return sent{[]string{"DPoP " + tok}, []string{c.get(t, tok, same, func(m map[string]any) { m["iat"] = time.Now().Unix() - 5 })}}
		}},
		{"wrong htu path", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.proof(t, http.MethodGet, dpopExternal+"/things/2", tok)}}
		}},
		{"wrong htu origin", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.proof(t, http.MethodGet, "https://other.example"+dpopPath, tok)}}
		}},
		{"wrong htm", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.proof(t, http.MethodPost, dpopHTU, tok)}}
		}},
		{"missing ath", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.get(t, tok, func(m map[string]any) { delete(m, "ath") })}}
		}},
		{"ath of another token", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.get(t, tok+"x")}}
		}},
		{"iat too old", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.get(t, tok, func(m map[string]any) { m["iat"] = time.Now().Unix() - 600 })}}
		}},
		{"bad signature", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{dpopTamper(t, c.get(t, tok))}}
		}},
		{"not a JWS", func(t *testing.T, _ http.Handler, _ *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{"not-a-proof"}}
		}},
		{"zero DPoP headers", func(t *testing.T, _ http.Handler, _ *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, nil}
		}},
		{"two DPoP headers", func(t *testing.T, _ http.Handler, c *dpopClient, tok string) sent {
			return sent{[]string{"DPoP " + tok}, []string{c.get(t, tok), c.get(t, tok)}}
		}},
	} {
		for _, b := range dpopBackends {
			t.Run(tc.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				env := newDPoPEnv(t, b)
				h := dpopHandler(env.rs(t, nil))
				c := newDPoPClient(t)
				tok := env.boundTo(c)
				s := tc.send(t, h, c, tok)
				before := env.calls()
				dpopRefused(t, dpopServe(h, s.auth, s.proofs), http.StatusUnauthorized,
					"invalid_dpop_proof", descProof, dpopChallenge("invalid_dpop_proof", descProof))
				assert.Equal(t, before, env.calls(), "a bad proof reached the authorization server")
			})
		}
	}
}

// TestDPoPBinding checks the token's cnf against the request's scheme and
// proof, for each backend: a proof by another key, a bound token without
// its proof, an unbound token with one, and a cnf this server cannot
// check, each answered on the challenge of the scheme the request used.
func TestDPoPBinding(t *testing.T) {
	t.Parallel()
	unknown := map[string]any{
		"cnf not an object":                    "c2VjcmV0",
		"cnf with an unknown member":           map[string]any{"x5u": "https://client.example/cert"},
		"cnf.jkt not a string":                 map[string]any{"jkt": 42},
		"cnf.jkt not a string beside x5t#S256": map[string]any{"jkt": 42, "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
		"cnf.jkt empty":                        map[string]any{"jkt": ""},
		"cnf empty":                            map[string]any{},
	}
	for _, b := range dpopBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env := newDPoPEnv(t, b)
			h := dpopHandler(env.rs(t, nil))
			alice, mallory := newDPoPClient(t), newDPoPClient(t)
			tok := env.boundTo(alice)

			t.Run("proof by another key", func(t *testing.T) {
				dpopRefused(t, dpopServe(h, []string{"DPoP " + tok}, []string{mallory.get(t, tok)}), http.StatusUnauthorized,
					"invalid_token", descKeyBinding, dpopChallenge("invalid_token", descKeyBinding))
			})
			t.Run("bound token as Bearer", func(t *testing.T) {
				dpopRefused(t, dpopServe(h, []string{"Bearer " + tok}, nil), http.StatusUnauthorized,
					"invalid_token", descAsBearer, bearerChallenge("invalid_token", descAsBearer, true))
				// A proof beside the Bearer scheme changes nothing.
				dpopRefused(t, dpopServe(h, []string{"Bearer " + tok}, []string{alice.get(t, tok)}), http.StatusUnauthorized,
					"invalid_token", descAsBearer, bearerChallenge("invalid_token", descAsBearer, true))
			})
			t.Run("unbound token with the DPoP scheme", func(t *testing.T) {
				plain := env.token(nil)
				dpopRefused(t, dpopServe(h, []string{"DPoP " + plain}, []string{alice.get(t, plain)}), http.StatusUnauthorized,
					"invalid_token", descNotBound, dpopChallenge("invalid_token", descNotBound))
				dpopOK(t, dpopServe(h, []string{"Bearer " + plain}, nil))
			})
			t.Run("refused token with its proof", func(t *testing.T) {
				// Revoked (introspection) or expired (local): refused by
				// the token's own checks, on the DPoP challenge.
				cnf := map[string]any{"jkt": alice.jkt}
				var gone string
				if env.local {
					gone = env.token(map[string]any{"cnf": cnf, "iat": time.Now().Add(-2 * time.Hour).Unix(),
						"exp": time.Now().Add(-time.Hour).Unix()})
				} else {
					gone = env.token(map[string]any{"cnf": cnf})
					env.as.Revoke(gone)
				}
				w := dpopServe(h, []string{"Bearer " + gone}, nil)
				var bearer map[string]string
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &bearer))
				require.Equal(t, "invalid_token", bearer["error"])
				require.NotEqual(t, descAsBearer, bearer["error_description"], "the token's own checks come first")
				dpopRefused(t, dpopServe(h, []string{"DPoP " + gone}, []string{alice.get(t, gone)}), http.StatusUnauthorized,
					"invalid_token", bearer["error_description"], dpopChallenge("invalid_token", bearer["error_description"]))
			})
			for name, cnf := range unknown {
				t.Run(name, func(t *testing.T) {
					odd := env.token(map[string]any{"cnf": cnf})
					dpopRefused(t, dpopServe(h, []string{"Bearer " + odd}, nil), http.StatusUnauthorized,
						"invalid_token", descUnknownBind, bearerChallenge("invalid_token", descUnknownBind, true))
					dpopRefused(t, dpopServe(h, []string{"DPoP " + odd}, []string{alice.get(t, odd)}), http.StatusUnauthorized,
						"invalid_token", descUnknownBind, dpopChallenge("invalid_token", descUnknownBind))
				})
			}
			dpopOK(t, dpopServe(h, []string{"DPoP " + tok}, []string{alice.get(t, tok)}))
		})
	}
}

// TestDPoPThroughAuthenticate checks the entry points that know nothing
// of the request but its Authorization: a DPoP token is refused there
// (no proof can be checked), and AuthenticateRequest, given the request,
// takes it.
func TestDPoPThroughAuthenticate(t *testing.T) {
	t.Parallel()
	env := newDPoPEnv(t, dpopBackends[0])
	rs := env.rs(t, nil)
	c := newDPoPClient(t)
	tok := env.boundTo(c)

	_, err := rs.Authenticate(t.Context(), []string{"DPoP " + tok})
	require.ErrorIs(t, err, core.ErrInvalidDPoPProof)
	r := rs.ErrorResponse(err)
	assert.Equal(t, core.Response{Status: http.StatusUnauthorized, WWWAuthenticate: dpopChallenge("invalid_dpop_proof", descProof),
		Body: core.ErrorBody{Error: "invalid_dpop_proof", Description: descProof}}, r)

	ctx, err := rs.AuthenticateRequest(t.Context(), core.Request{Method: http.MethodGet, Path: dpopPath,
		Authorization: []string{"DPoP " + tok}, DPoP: []string{c.get(t, tok)}})
	require.NoError(t, err)
	ti, ok := core.FromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, "user-1", ti.Subject)

	// Method and path are what the proof is checked against.
	_, err = rs.AuthenticateRequest(t.Context(), core.Request{Method: http.MethodGet, Path: "/things/2",
		Authorization: []string{"DPoP " + tok}, DPoP: []string{c.get(t, tok)}})
	require.ErrorIs(t, err, core.ErrInvalidDPoPProof)
	_, err = rs.AuthenticateRequest(t.Context(), core.Request{Path: dpopPath,
		Authorization: []string{"DPoP " + tok}, DPoP: []string{c.get(t, tok)}})
	require.ErrorIs(t, err, core.ErrInvalidDPoPProof)
}
