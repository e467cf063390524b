package suite_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// TestKeyRotation rotates the RS's encryption key the way an operator
// would: publish the new key first and keep the old one while the AS
// still encrypts to it (it cached the old JWKS), then let the AS refresh.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	clients := map[string]rsClient{}
	var all []rsClient
	for _, b := range appBuilders {
		c := jwtClient(t, "rs-rot-"+b.name)
		c.pem = rsaKeyPEM(t, 1)
		clients[b.name] = c
		all = append(all, c)
	}
	as := asproc.StartT(t, asConfig(all...))
	oldPEM, newPEM := rsaKeyPEM(t, 1), rsaKeyPEM(t, 2)
	var cases tally
	cases.summary(t, "key rotation")
	g := newGroup(t, &cases)
	defer g.wait()

	for _, b := range appBuilders {
		c := clients[b.name]
		g.run(b.name, func(t *testing.T) {
			// Before: one key, which the AS fetches and caches.
			c.app.serve(b.build(newRS(t, c.env(as, nil))))
			oldKID := kids(t, call(t, c.app.URL, "/jwks", "").body)
			require.Len(t, oldKID, 1)
			tok, sub := mint(t, as, "groups", time.Hour)
			assertAccepted(t, call(t, c.app.URL, "/me", tok), sub)
			assert.Equal(t, oldKID[0], introspectionHeader(t, as, c, tok)["kid"])

			// Rotation: the new key first, the old one kept; written on one
			// line with \n escapes, as in a .env file.
			both := escapedPEM(newPEM + oldPEM)
			c.app.serve(b.build(newRS(t, c.env(as, map[string]string{"OIDC_RS_PRIVATE_KEY_STR": both}))))
			published := kids(t, call(t, c.app.URL, "/jwks", "").body)
			require.Len(t, published, 2)
			require.Equal(t, oldKID[0], published[1])
			newKID := published[0]

			newOnly := newAppServer(t)
			newOnly.serve(b.build(newRS(t, c.env(as, map[string]string{"OIDC_RS_PRIVATE_KEY_STR": newPEM}))))

			// The AS still encrypts to the old key: the two-key RS accepts,
			// an RS that dropped the old key cannot decrypt (502).
			tok, sub = mint(t, as, "groups", time.Hour)
			assert.Equal(t, oldKID[0], introspectionHeader(t, as, c, tok)["kid"])
			assertAccepted(t, call(t, c.app.URL, "/me", tok), sub)
			r := call(t, newOnly.URL, "/me", tok)
			require.Equal(t, http.StatusBadGateway, r.status, "body: %s", r.body)
			assert.NotContains(t, r.wwwAuth, "invalid_token")

			// The AS refreshes the JWKS and encrypts to the new first key.
			got, err := as.RefreshJWKS(context.Background(), c.id)
			require.NoError(t, err)
			assert.Equal(t, published, got)
			tok, sub = mint(t, as, "groups", time.Hour)
			assert.Equal(t, newKID, introspectionHeader(t, as, c, tok)["kid"])
			assertAccepted(t, call(t, c.app.URL, "/me", tok), sub)
			// Now the old key may go.
			assertAccepted(t, call(t, newOnly.URL, "/me", tok), sub)
		})
	}
}

// TestASSigningKeyRotation restarts node oidc-provider with new signing
// kids while every app's resource server has just fetched its key set:
// the first token signed with a new kid is answered 503 with Retry-After
// (never invalid_token, never cached), and accepted once the next refresh
// is allowed. Each resource server's clock stands still unless the test
// moves it, so the 5 s between refreshes is the test's to decide.
func TestASSigningKeyRotation(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	resource := resourceFor("RS256")
	cfg := asConfig()
	cfg.SigningKeys = []string{"RS256"}
	cfg.ResourceServers = map[string]asproc.ResourceServer{resource: {Scope: "groups", Alg: "RS256"}}
	first := asproc.StartT(t, cfg)

	type rotApp struct {
		name  string
		app   *appServer
		n     *pathCounter
		clock *standingClock
	}
	old := accessToken(t, first, "groups", resource)
	var apps []rotApp
	for _, b := range appBuilders {
		a := rotApp{name: b.name, app: newAppServer(t), clock: &standingClock{at: time.Now()}}
		// The leeway covers the tokens minted after the clock stopped.
		var rs *core.ResourceServer
		rs, a.n = clockedRS(t, accessTokenEnv(first, "RS256", map[string]string{"OIDC_RS_LEEWAY": "300"}), a.clock)
		a.app.serve(b.build(rs))
		assertAccepted(t, call(t, a.app.URL, "/me", old), spID)
		require.Equal(t, 1, a.n.calls(jwksPath))
		apps = append(apps, a)
	}

	cfg.KeyIDSuffix = "-rotated"
	second := restartT(t, first, cfg)
	fresh := accessToken(t, second, "groups", resource)
	require.Equal(t, "RS256-rotated", jwsSegment(t, fresh, 0)["kid"])
	var cases tally
	cases.summary(t, "AS signing key rotation")
	g := newGroup(t, &cases)
	defer g.wait()
	for _, a := range apps {
		g.run(a.name, func(t *testing.T) {
			for _, wait := range []string{"5", "3"} {
				r, retryAfter := callRetryAfter(t, a.app.URL, fresh)
				assertUnavailable(t, r)
				assert.Equal(t, wait, retryAfter, "the seconds until the next refresh")
				a.clock.advance(2 * time.Second)
			}
			assert.Equal(t, 1, a.n.calls(jwksPath), "no refresh within 5 s of the last")
			a.clock.advance(time.Second)
			assertAccepted(t, call(t, a.app.URL, "/me", fresh), spID)
			assert.Equal(t, 2, a.n.calls(jwksPath), "the next allowed refresh brings the new key")
		})
	}
}

// refusedWithin calls GET /me with a token whose kid is gone from the AS
// key set until it is refused as invalid_token, for at most limit: until
// the key set may be refreshed again it is 503 temporarily_unavailable
// (the kid might be a new key), after that refresh 401.
func refusedWithin(t *testing.T, baseURL, token string, limit time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		r := call(t, baseURL, "/me", token)
		if r.status == http.StatusUnauthorized {
			assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
			assertDescription(t, r, descBadSignature)
			return
		}
		assertUnavailable(t, r)
		require.Less(t, time.Since(start), limit, "token still not refused")
		time.Sleep(250 * time.Millisecond)
	}
}

// clockedRS is countedRS on clock.
func clockedRS(t *testing.T, env map[string]string, clock *standingClock) (*core.ResourceServer, *pathCounter) {
	t.Helper()
	s, err := core.SettingsFromEnv(func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	require.NoError(t, err)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c := &pathCounter{next: tr, paths: map[string]int{}}
	rs, err := core.New(s, core.WithHTTPClient(&http.Client{Transport: c, Timeout: s.Timeout}), core.WithClock(clock.Now))
	require.NoError(t, err)
	return rs, c
}

// standingClock is a clock that moves only when told to.
type standingClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *standingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.at }

func (c *standingClock) advance(d time.Duration) { c.mu.Lock(); c.at = c.at.Add(d); c.mu.Unlock() }

// callRetryAfter is call for GET /me with the answer's Retry-After.
func callRetryAfter(t *testing.T, baseURL, token string) (result, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, baseURL+"/me", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return result{status: resp.StatusCode, wwwAuth: resp.Header.Get("WWW-Authenticate"), body: string(body)},
		resp.Header.Get("Retry-After")
}
