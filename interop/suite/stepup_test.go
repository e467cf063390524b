package suite_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// The step-up routes of stepUpApp: /strong wants an eIDAS substantial or
// high login, /recent a login of the last hour.
var (
	strongACR = []string{"eidas2", "eidas3"}
	recentAge = time.Hour
)

// stepUpMode is one way a resource server checks tokens from real logins.
type stepUpMode struct {
	name string
	// resource is the tokens' resource indicator ("": opaque).
	resource string
	env      map[string]string
	// asClaims returns what the AS told this mode about tok: the
	// introspection answer, the RFC 9701 answer's token_introspection, or
	// the at+jwt's claims.
	asClaims func(t *testing.T, tok string) map[string]any
}

// TestStepUp proves step-up (RFC 9470) with node oidc-provider: the tokens
// come from the authorization code flow (PKCE), their acr and auth_time
// from the login, which oidc-provider keeps in its session and puts in the
// introspection answer, the RFC 9701 answer and the at+jwt. Through core's
// net/http middleware, with JSON introspection, RFC 9701 JWT answers and
// local RFC 9068 checks: a route demanding eidas2 or eidas3 refuses an
// eidas1 login with 401 insufficient_user_authentication and acr_values,
// a route demanding a login of the last hour refuses an older one with
// max_age; the client then sends the user back to the AS as the
// challenge says, and the new token is accepted.
func TestStepUp(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	jsonRS := jsonClient("rs-stepup-json")
	jwtRS := jwtClient(t, "rs-stepup-jwt")
	cfg := asConfig(jsonRS, jwtRS)
	cfg.Clients = append(cfg.Clients, webClient())
	cfg.ResourceServers = resourceServers()
	as := asproc.StartT(t, cfg)
	jwtRS.app.serve(stepUpApp(newRS(t, jwtRS.env(as, nil))))

	modes := []stepUpMode{
		{name: "json", env: jsonRS.env(as, nil),
			asClaims: func(t *testing.T, tok string) map[string]any { return numbers(t, introspectJSON(t, as, jsonRS, tok)) }},
		{name: "jwt", env: jwtRS.env(as, nil),
			asClaims: func(t *testing.T, tok string) map[string]any {
				ti, ok := introspectionClaims(t, as, jwtRS, tok)["token_introspection"].(map[string]any)
				require.True(t, ok, "token_introspection")
				return ti
			}},
		{name: "local", resource: resourceFor("ES256"), env: accessTokenEnv(as, "ES256", nil),
			asClaims: func(t *testing.T, tok string) map[string]any {
				assert.Equal(t, "at+jwt", jwsSegment(t, tok, 0)["typ"])
				return numbers(t, jwsSegment(t, tok, 1))
			}},
	}
	var cases tally
	t.Cleanup(func() {
		t.Logf("step-up: %d cases passed through core's net/http middleware against oidc-provider 9.13.3",
			cases.passed.Load())
	})
	g := newGroup(t, nil)
	defer g.wait()
	for _, m := range modes {
		g.run(m.name, func(t *testing.T) {
			app := newAppServer(t)
			app.serve(stepUpApp(newRS(t, m.env)))
			c := newGroup(t, &cases)
			defer c.wait()
			stepUpCases(t, as, m, app.URL, c)
		})
	}
}

// stepUpCases runs every case of mode against the app at api.
func stepUpCases(t *testing.T, as *asproc.AS, m stepUpMode, api string, cases *group) {
	// assertLogin checks that the handler of /me saw the login's acr and
	// auth_time, as the AS reported them, and returns that auth_time.
	assertLogin := func(t *testing.T, l stepUpLogin) time.Time {
		t.Helper()
		r := stepUpCall(t, api, "/me", l.token)
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
		assert.Equal(t, l.account, r.seen.Subject)
		assert.Equal(t, l.acr, r.seen.ACR, "acr seen by the handler")
		claims := m.asClaims(t, l.token)
		assert.Equal(t, l.acr, claims["acr"], "acr from the AS")
		authTime := unixClaim(t, claims, "auth_time")
		assert.Equal(t, authTime.Unix(), r.seen.AuthTime, "auth_time seen by the handler")
		assert.False(t, authTime.Before(l.start.Add(-l.age).Truncate(time.Second)), "auth_time %s, login from %s", authTime, l.start)
		assert.False(t, authTime.After(l.end.Add(-l.age)), "auth_time %s, login until %s", authTime, l.end)
		return authTime
	}

	cases.run("acr too weak, then a stronger login", func(t *testing.T) {
		b := as.NewBrowser()
		weak := stepUpLogin{account: newAccount(), acr: "eidas1"}
		weak.run(t, b, m.resource, nil)
		assert.Equal(t, []string{"login", "consent"}, weak.prompts)
		assertLogin(t, weak)
		ch := assertStepUp(t, stepUpCall(t, api, "/strong", weak.token))
		assert.Equal(t, "eidas2 eidas3", ch.params["acr_values"])
		assert.NotContains(t, ch.params, "max_age")

		// The client sends the user back with the challenge's acr_values.
		// oidc-provider takes them as a voluntary acr claim and would
		// answer from the session, so the client asks for a login too.
		strong := stepUpLogin{account: weak.account, acr: "eidas2"}
		strong.run(t, b, m.resource, func(r *asproc.LoginRequest) {
			r.ACRValues = strings.Fields(ch.params["acr_values"])
			r.Prompt = "login"
		})
		assert.Equal(t, []string{"login"}, strong.prompts, "the grant covers the scopes: no consent")
		assertLogin(t, strong)
		r := stepUpCall(t, api, "/strong", strong.token)
		require.Equal(t, http.StatusOK, r.status, "body: %s; WWW-Authenticate: %s", r.body, r.wwwAuth)
		assert.Equal(t, "eidas2", r.seen.ACR)
		// The weak token is still refused: the verdict is the token's.
		assertStepUp(t, stepUpCall(t, api, "/strong", weak.token))
	})

	cases.run("eidas3 login accepted at once", func(t *testing.T) {
		l := stepUpLogin{account: newAccount(), acr: "eidas3"}
		l.run(t, as.NewBrowser(), m.resource, nil)
		r := stepUpCall(t, api, "/strong", l.token)
		require.Equal(t, http.StatusOK, r.status, "body: %s; WWW-Authenticate: %s", r.body, r.wwwAuth)
		assert.Equal(t, "eidas3", r.seen.ACR)
		assertLogin(t, l)
	})

	cases.run("login too old, then a fresh one", func(t *testing.T) {
		b := as.NewBrowser()
		old := stepUpLogin{account: newAccount(), acr: "eidas2", age: 2 * time.Hour}
		old.run(t, b, m.resource, nil)
		oldTime := assertLogin(t, old)
		ch := assertStepUp(t, stepUpCall(t, api, "/recent", old.token))
		assert.Equal(t, "3600", ch.params["max_age"])
		assert.NotContains(t, ch.params, "acr_values")
		// An acr the route does not ask about does not matter.
		r := stepUpCall(t, api, "/strong", old.token)
		require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)

		// The client sends the user back with the challenge's max_age: the
		// session's login is older, so the AS asks for a new one.
		maxAge, err := strconv.Atoi(ch.params["max_age"])
		require.NoError(t, err)
		fresh := stepUpLogin{account: old.account, acr: "eidas2"}
		fresh.run(t, b, m.resource, func(r *asproc.LoginRequest) { r.MaxAge = time.Duration(maxAge) * time.Second })
		assert.Equal(t, []string{"login"}, fresh.prompts)
		newTime := assertLogin(t, fresh)
		assert.True(t, newTime.After(oldTime.Add(time.Hour)), "auth_time %s after %s", newTime, oldTime)
		r = stepUpCall(t, api, "/recent", fresh.token)
		require.Equal(t, http.StatusOK, r.status, "body: %s; WWW-Authenticate: %s", r.body, r.wwwAuth)
		assert.Equal(t, newTime.Unix(), r.seen.AuthTime)
	})

	cases.run("a token without a login", func(t *testing.T) {
		tok := accessToken(t, as, "groups", m.resource) // client_credentials
		claims := m.asClaims(t, tok)
		assert.NotContains(t, claims, "acr")
		assert.NotContains(t, claims, "auth_time")
		assert.Equal(t, "eidas2 eidas3", assertStepUp(t, stepUpCall(t, api, "/strong", tok)).params["acr_values"])
		assert.Equal(t, "3600", assertStepUp(t, stepUpCall(t, api, "/recent", tok)).params["max_age"])
	})
}

// stepUpApp serves, through core's net/http middleware, GET /me (any
// valid token), /strong (acr eidas2 or eidas3) and /recent (a login of
// the last hour), each answering what its handler saw (a stepUpSeen).
// It also serves GET /jwks.
func stepUpApp(rs *core.ResourceServer) http.Handler {
	seen := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeStepUpSeen(w, r)
	})
	auth := rs.Middleware()
	mux := http.NewServeMux()
	mux.Handle("GET /jwks", rs.JWKSHandler())
	mux.Handle("GET /me", auth(seen))
	mux.Handle("GET /strong", auth(rs.RequireScopes(core.RequireAuthentication(strongACR, 0))(seen)))
	mux.Handle("GET /recent", auth(rs.RequireScopes(core.RequireAuthentication(nil, recentAge))(seen)))
	return mux
}
