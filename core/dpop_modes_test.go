package core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
)

// TestDPoPRequired checks OIDC_RS_DPOP=required: every Bearer token is
// refused before the authorization server is asked, bound or not, and
// every challenge is DPoP's alone.
func TestDPoPRequired(t *testing.T) {
	t.Parallel()
	for _, b := range dpopBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			env := newDPoPEnv(t, b)
			h := dpopHandler(env.rs(t, func(s *core.Settings) { s.DPoP = core.DPoPRequired }))
			c := newDPoPClient(t)
			tok, plain := env.boundTo(c), env.token(nil)

			for _, bearer := range []string{plain, tok} {
				dpopRefused(t, dpopServe(h, []string{"Bearer " + bearer}, nil), http.StatusUnauthorized,
					"invalid_token", descRequired, dpopChallenge("invalid_token", descRequired))
			}
			assert.Zero(t, env.calls(), "a Bearer token reached the authorization server")
			dpopRefused(t, dpopServe(h, nil, nil), http.StatusUnauthorized,
				"unauthorized", descNoToken, `DPoP realm="oidcrs", `+dpopAlgs)
			dpopRefused(t, dpopServe(h, []string{"DPoP " + tok}, []string{dpopTamper(t, c.get(t, tok))}), http.StatusUnauthorized,
				"invalid_dpop_proof", descProof, dpopChallenge("invalid_dpop_proof", descProof))
			dpopRefused(t, dpopServe(h, []string{"DPoP " + plain}, []string{c.get(t, plain)}), http.StatusUnauthorized,
				"invalid_token", descNotBound, dpopChallenge("invalid_token", descNotBound))
			dpopOK(t, dpopServe(h, []string{"DPoP " + tok}, []string{c.get(t, tok)}))
		})
	}
}

// TestDPoPOffAndUnconfigured checks the two servers that take no DPoP
// token: OIDC_RS_DPOP=off, and DPoPAllowed without an external URL (no
// OIDC_RS_EXTERNAL_URL, no OIDC_RS_RESOURCE). The DPoP scheme is answered
// as a missing token, no challenge offers DPoP, and a bound token is
// still refused as Bearer.
func TestDPoPOffAndUnconfigured(t *testing.T) {
	t.Parallel()
	for _, server := range []struct {
		name string
		edit func(*core.Settings)
	}{
		{"off", func(s *core.Settings) { s.DPoP = core.DPoPOff }},
		{"allowed without an external URL", func(s *core.Settings) { s.ExternalURL = "" }},
	} {
		for _, b := range dpopBackends {
			t.Run(server.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				env := newDPoPEnv(t, b)
				h := dpopHandler(env.rs(t, server.edit))
				c := newDPoPClient(t)
				tok, plain := env.boundTo(c), env.token(nil)

				dpopRefused(t, dpopServe(h, []string{"DPoP " + tok}, []string{c.get(t, tok)}), http.StatusUnauthorized,
					"unauthorized", descNoToken, `Bearer realm="oidcrs"`)
				dpopRefused(t, dpopServe(h, nil, nil), http.StatusUnauthorized, "unauthorized", descNoToken, `Bearer realm="oidcrs"`)
				assert.Zero(t, env.calls(), "the DPoP scheme is no token at all")
				dpopRefused(t, dpopServe(h, []string{"Bearer " + tok}, nil), http.StatusUnauthorized,
					"invalid_token", descAsBearer, bearerChallenge("invalid_token", descAsBearer, false))
				dpopOK(t, dpopServe(h, []string{"Bearer " + plain}, nil))
			})
		}
	}
}

// TestDPoPChallengeOffer checks the answers that involve no DPoP token
// under DPoPAllowed: a 401 offers DPoP after Bearer, a 400 or a 403 does
// not; a malformed DPoP header gets its 400 on the DPoP challenge.
func TestDPoPChallengeOffer(t *testing.T) {
	t.Parallel()
	env := newDPoPEnv(t, dpopBackends[0])
	rs := env.rs(t, nil)
	h := rs.Middleware()(rs.RequireScopes(core.AnyScope("admin"))(dpopRoute))
	dpopRefused(t, dpopServe(h, nil, nil), http.StatusUnauthorized, "unauthorized", descNoToken, `Bearer realm="oidcrs"`+dpopOffer)
	dpopRefused(t, dpopServe(h, []string{"Bearer a b"}, nil), http.StatusBadRequest, "invalid_request", "Invalid Authorization header.",
		`Bearer realm="oidcrs", error="invalid_request", error_description="Invalid Authorization header."`)
	// A malformed DPoP header is answered on the DPoP challenge.
	for _, bad := range []string{"DPoP", "DPoP a b", "DPoP a,b"} {
		dpopRefused(t, dpopServe(h, []string{bad}, nil), http.StatusBadRequest, "invalid_request", "Invalid Authorization header.",
			`DPoP realm="oidcrs", error="invalid_request", error_description="Invalid Authorization header.", algs="ES256 ES384 PS256 RS256 EdDSA"`)
	}
	dpopRefused(t, dpopServe(h, []string{"Bearer " + env.token(nil)}, nil), http.StatusForbidden, "insufficient_scope", descHigher,
		`Bearer realm="oidcrs", error="insufficient_scope", error_description="`+descHigher+`", scope="groups admin"`)
}

// descHigher is the description of a route's scope refusal.
const descHigher = "The request requires higher privileges than provided by the access token."

// TestDPoPRouteRefusal checks that a per-route refusal after a DPoP
// authentication goes on the DPoP challenge, through RequireScopes and
// through CheckScopes, for a scope rule (403) and a step-up rule (401);
// after a Bearer authentication, on Bearer's.
func TestDPoPRouteRefusal(t *testing.T) {
	t.Parallel()
	env := newDPoPEnv(t, dpopBackends[0])
	rs := env.rs(t, nil)
	c := newDPoPClient(t)
	tok, plain := env.boundTo(c), env.token(nil)
	scope, stepUp := core.AnyScope("admin"), core.RequireAuthentication([]string{"urn:acr:gold"}, 0)
	const descStepUp = "A stronger or more recent user authentication is required."
	for _, tc := range []struct {
		name         string
		rule         core.ScopeRequirement
		status       int
		code, desc   string
		dpop, bearer string
	}{
		{"scope", scope, http.StatusForbidden, "insufficient_scope", descHigher,
			`DPoP realm="oidcrs", error="insufficient_scope", error_description="` + descHigher + `", scope="groups admin", ` + dpopAlgs,
			`Bearer realm="oidcrs", error="insufficient_scope", error_description="` + descHigher + `", scope="groups admin"`},
		{"step-up", stepUp, http.StatusUnauthorized, "insufficient_user_authentication", descStepUp,
			`DPoP realm="oidcrs", error="insufficient_user_authentication", error_description="` + descStepUp + `", acr_values="urn:acr:gold", ` + dpopAlgs,
			`Bearer realm="oidcrs", error="insufficient_user_authentication", error_description="` + descStepUp + `", acr_values="urn:acr:gold"` + dpopOffer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := rs.Middleware()(rs.RequireScopes(tc.rule)(dpopRoute))
			dpopRefused(t, dpopServe(h, []string{"DPoP " + tok}, []string{c.get(t, tok)}), tc.status, tc.code, tc.desc, tc.dpop)
			dpopRefused(t, dpopServe(h, []string{"Bearer " + plain}, nil), tc.status, tc.code, tc.desc, tc.bearer)

			ctx, err := rs.AuthenticateRequest(t.Context(), core.Request{Method: http.MethodGet, Path: dpopPath,
				Authorization: []string{"DPoP " + tok}, DPoP: []string{c.get(t, tok)}})
			if !assert.NoError(t, err) {
				return
			}
			ti, _ := core.FromContext(ctx)
			r := rs.ErrorResponse(rs.CheckScopes(ctx, ti, tc.rule))
			assert.Equal(t, core.Response{Status: tc.status, WWWAuthenticate: tc.dpop,
				Body: core.ErrorBody{Error: tc.code, Description: tc.desc}}, r)
		})
	}
}
