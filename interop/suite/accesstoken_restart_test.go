package suite_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

const (
	// descBadSignature is the error_description of a token no cached key
	// verifies.
	descBadSignature = "The access token signature is invalid."
	// restartWait bounds how long a fresh token of a restarted AS may be
	// refused: core fetches the JWKS again for an unknown kid at most once
	// every 5 s, and keeps a rejection for 5 s (OIDC_RS_CACHE_NEGATIVE_TTL).
	// Wide, for a busy machine: it only catches a server that never
	// recovers.
	restartWait = 60 * time.Second
)

// restartT closes old and starts cfg on old's port: the same issuer URL
// with new signing keys. Another process may grab the freed port in
// between, hence a few attempts.
func restartT(t *testing.T, old *asproc.AS, cfg asproc.Config) *asproc.AS {
	t.Helper()
	require.NoError(t, old.Close())
	u, err := url.Parse(old.URL)
	require.NoError(t, err)
	cfg.Port, err = strconv.Atoi(u.Port())
	require.NoError(t, err)
	var as *asproc.AS
	for attempt := 1; ; attempt++ {
		if as, err = asproc.Start(context.Background(), cfg); err == nil || attempt == 5 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := as.Close(); err != nil {
			t.Errorf("closing AS: %v", err)
		}
		if t.Failed() {
			t.Logf("AS stderr:\n%s", as.Logs())
		}
	})
	require.Equal(t, old.URL, as.URL, "the issuer survives the restart")
	return as
}

// restartApp is one app builder's pair of local resource servers.
type restartApp struct {
	name             string
	cached, uncached *appServer
	nc, nu           *pathCounter
}

// TestAccessTokenRestart restarts the AS on its issuer URL with new
// signing keys, through every app builder, with the verdict cache on and
// off. New kids: a fresh token is accepted after one JWKS refresh. Same
// kids, new keys: refused while the cached key set is fresh.
func TestAccessTokenRestart(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	resource := resourceFor("RS256")
	cfg := asConfig()
	cfg.SigningKeys = []string{"RS256"}
	cfg.ResourceServers = map[string]asproc.ResourceServer{resource: {Scope: "groups", Alg: "RS256"}}
	first := asproc.StartT(t, cfg)

	var apps []restartApp
	old := accessToken(t, first, "groups", resource)
	for _, b := range appBuilders {
		a := restartApp{name: b.name, cached: newAppServer(t), uncached: newAppServer(t)}
		rsc, nc := countedRS(t, accessTokenEnv(first, "RS256", nil))
		rsu, nu := countedRS(t, accessTokenEnv(first, "RS256", map[string]string{"OIDC_RS_CACHE_TTL": "0"}))
		a.cached.serve(b.build(rsc))
		a.uncached.serve(b.build(rsu))
		a.nc, a.nu = nc, nu
		assertAccepted(t, call(t, a.cached.URL, "/me", old), spID)
		assertAccepted(t, call(t, a.uncached.URL, "/me", old), spID)
		apps = append(apps, a)
	}

	// New keys with new kids, as a real rotation publishes them.
	cfg.KeyIDSuffix = "-2"
	second := restartT(t, first, cfg)
	fresh := accessToken(t, second, "groups", resource)
	require.Equal(t, "RS256-2", jwsSegment(t, fresh, 0)["kid"])
	var cases tally
	cases.summary(t, "AS restarted with new keys")
	g := newGroup(t, &cases)
	for _, a := range apps {
		for _, s := range []struct {
			kind   string
			app    *appServer
			n      *pathCounter
			cached bool
		}{{"cached", a.cached, a.nc, true}, {"uncached", a.uncached, a.nu, false}} {
			g.run("new kids/"+s.kind+"/"+a.name, func(t *testing.T) {
				waited := acceptedWithin(t, s.app.URL, fresh, restartWait, http.StatusServiceUnavailable)
				fetches := s.n.calls(jwksPath)
				assert.GreaterOrEqual(t, fetches, 2, "a refresh after the first fetch")
				assert.LessOrEqual(t, fetches, 3, "JWKS fetches")
				assert.Equal(t, fetches, s.n.total(), "only JWKS fetches")
				t.Logf("fresh token accepted after %s, %d JWKS fetches in all",
					waited.Round(100*time.Millisecond), fetches)
				// The old key is gone from the refreshed key set: the old
				// token is refused once a refresh made for it does not find
				// its kid either, unless its verdict is still cached
				// (OIDC_RS_CACHE_TTL, never past its exp).
				if s.cached {
					assertAccepted(t, call(t, s.app.URL, "/me", old), spID)
					return
				}
				refusedWithin(t, s.app.URL, old, restartWait)
			})
		}
	}
	g.wait()

	// New keys under the same kids (oidc-provider names its keys after
	// their alg): a signature that fails with the cached key of its kid
	// makes core refetch the set, at most once per 5 s, so the token is
	// accepted without waiting for the cached set to expire
	// (oidc-provider's /jwks sends no Cache-Control: 10 min).
	third := restartT(t, second, cfg)
	reused := accessToken(t, third, "groups", resource)
	require.Equal(t, "RS256-2", jwsSegment(t, reused, 0)["kid"])
	g = newGroup(t, &cases)
	defer g.wait()
	for _, a := range apps {
		g.run("same kids/"+a.name, func(t *testing.T) {
			before := a.nu.calls(jwksPath)
			acceptedWithin(t, a.uncached.URL, reused, restartWait, http.StatusUnauthorized)
			fetches := a.nu.calls(jwksPath) - before
			assert.GreaterOrEqual(t, fetches, 1, "a refetch after the failed signature")
			assert.LessOrEqual(t, fetches, 2, "at most once per 5 s")
		})
	}
}

// acceptedWithin calls GET /me with token until it is accepted, for at
// most limit, and returns how long that took. Until then it may only be
// refused with refused: 503 temporarily_unavailable (a new kid, until the
// key set may be refreshed) or 401 invalid_token (a known kid whose key
// no longer verifies).
func acceptedWithin(t *testing.T, baseURL, token string, limit time.Duration, refused int) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		r := call(t, baseURL, "/me", token)
		if r.status == http.StatusOK {
			assertAccepted(t, r, spID)
			return time.Since(start)
		}
		if refused == http.StatusServiceUnavailable {
			assertUnavailable(t, r)
		} else {
			assertRejected(t, r, http.StatusUnauthorized, "invalid_token")
		}
		require.Less(t, time.Since(start), limit, "fresh token still refused")
		time.Sleep(250 * time.Millisecond)
	}
}
