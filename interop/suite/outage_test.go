package suite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// TestAuthorizationServerDown stops the AS process and checks that every
// app builder, with both backends, answers 503 (never 401 invalid_token:
// the client's token is not at fault) unless the cache already vouches for
// the token.
func TestAuthorizationServerDown(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	jsonRS := jsonClient("rs-json")
	clients := []rsClient{jsonRS}
	jwt := map[string]rsClient{}
	for _, b := range appBuilders {
		jwt[b.name] = jwtClient(t, "rs-jwt-"+b.name)
		clients = append(clients, jwt[b.name])
	}
	as := asproc.StartT(t, asConfig(clients...))

	type app struct {
		name             string
		cached, uncached *appServer
		seen, fresh      string // a token each app accepted, one never seen
		sub              string
	}
	// While the AS runs: build the apps and have them accept a token.
	var apps []app
	for _, b := range appBuilders {
		for _, c := range []rsClient{jsonRS, jwt[b.name]} {
			a := app{name: "json/" + b.name, cached: c.app, uncached: newAppServer(t)}
			if c.jwt {
				a.name = "jwt/" + b.name
			} else {
				a.cached = newAppServer(t)
			}
			a.cached.serve(b.build(newRS(t, c.env(as, nil))))
			a.uncached.serve(b.build(newRS(t, c.env(as, map[string]string{"OIDC_RS_CACHE_TTL": "0"}))))
			a.seen, a.sub = mint(t, as, "groups", time.Hour)
			a.fresh, _ = mint(t, as, "groups", time.Hour)
			assertAccepted(t, call(t, a.cached.URL, "/me", a.seen), a.sub)
			assertAccepted(t, call(t, a.uncached.URL, "/me", a.seen), a.sub)
			apps = append(apps, a)
		}
	}

	require.NoError(t, as.Close())
	var cases tally
	cases.summary(t, "authorization server down")
	g := newGroup(t, &cases)
	defer g.wait()
	for _, a := range apps {
		g.run(a.name+"/fresh token", func(t *testing.T) {
			assertUnavailable(t, call(t, a.cached.URL, "/me", a.fresh))
		})
		g.run(a.name+"/cache disabled", func(t *testing.T) {
			assertUnavailable(t, call(t, a.uncached.URL, "/me", a.seen))
		})
		g.run(a.name+"/cached answer", func(t *testing.T) {
			// The verdict cached while the AS was up still holds.
			assertAccepted(t, call(t, a.cached.URL, "/me", a.seen), a.sub)
		})
	}
}
