package suite_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// The lifetimes of the short-lived tokens: shortTTL first, doubled up to
// maxShortTTL when the machine is too slow to use the token before exp.
const (
	shortTTL    = 2 * time.Second
	maxShortTTL = 16 * time.Second
)

// shortLived mints a short-lived token for a fresh account and runs use,
// which must be done before the token expires: it records results (the
// caller asserts them) and returns the exp it was told, or 0. Its calls,
// with ctx, are urgent. On a loaded machine use may finish too late; then
// shortLived starts over with a token living twice as long.
func shortLived(t *testing.T, as *asproc.AS, use func(ctx context.Context, tok string) (exp int64)) (tok, sub string) {
	t.Helper()
	ctx := urgent()
	for ttl := shortTTL; ; ttl *= 2 {
		start := time.Now()
		tok, sub = mintCtx(t, ctx, as, "groups", ttl)
		exp := use(ctx, tok)
		// Without the exp, bound it: exp = iat + ttl, iat being the AS's
		// clock in whole seconds at or after start.
		deadline := start.Add(ttl - time.Second)
		if exp != 0 {
			deadline = time.Unix(exp, 0)
		}
		if time.Now().Before(deadline) || ttl >= maxShortTTL {
			return tok, sub
		}
		t.Logf("used the token too late (after %s) for a %s lifetime; again with %s",
			time.Since(start).Round(time.Millisecond), ttl, 2*ttl)
	}
}

// sleepPast sleeps until one second after exp (unix seconds), which must
// be set.
func sleepPast(t *testing.T, exp int64) {
	t.Helper()
	require.NotZero(t, exp, "the answer had no exp")
	time.Sleep(time.Until(time.Unix(exp, 0)) + time.Second)
}

// TestCommonCases runs the token cases through every app builder and both
// backends, against one authorization server.
func TestCommonCases(t *testing.T) {
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
	var cases tally
	cases.summary(t, "common cases")
	combos := newGroup(t, nil)
	defer combos.wait()
	for _, b := range appBuilders {
		for _, c := range []rsClient{jsonRS, jwt[b.name]} {
			backend := "json"
			if c.jwt {
				backend = "jwt"
			}
			combos.run(backend+"/"+b.name, func(t *testing.T) {
				g := newGroup(t, &cases)
				defer g.wait()
				commonCases(t, as, b, c, g)
			})
		}
	}
}

// commonCases runs every case for one backend and one app builder. The
// app with the default cache is served on c.app for a JWT client (it is
// the jwks_uri the AS fetches); the others on servers of their own.
func commonCases(t *testing.T, as *asproc.AS, b appBuilder, c rsClient, cases *group) {
	cached := c.app
	if cached == nil {
		cached = newAppServer(t)
	}
	cached.serve(b.build(newRS(t, c.env(as, nil))))
	uncached := newAppServer(t)
	uncached.serve(b.build(newRS(t, c.env(as, map[string]string{"OIDC_RS_CACHE_TTL": "0"}))))
	wrongSecret := newAppServer(t)
	wrongSecret.serve(b.build(newRS(t, c.env(as, map[string]string{"OIDC_RS_CLIENT_SECRET": "not-the-secret"}))))

	cases.run("valid token", func(t *testing.T) {
		tok, sub := mint(t, as, "openid groups", time.Hour)
		r := call(t, cached.URL, "/me", tok)
		assertAccepted(t, r, sub)
		assert.Equal(t, []string{"openid", "groups"}, r.id.Scopes)
		assertAccepted(t, call(t, uncached.URL, "/me", tok), sub)
	})

	cases.run("base64-encoded token", func(t *testing.T) {
		tok, sub := mint(t, as, "groups", time.Hour)
		assertAccepted(t, call(t, uncached.URL, "/me", b64(tok)), sub)
	})

	cases.run("no token", func(t *testing.T) {
		r := call(t, cached.URL, "/me", "")
		require.Equal(t, http.StatusUnauthorized, r.status, "body: %s", r.body)
		assert.Contains(t, r.wwwAuth, `Bearer realm="oidcrs"`)
		assert.NotContains(t, r.wwwAuth, "error=", "RFC 6750 3.1: no error code without a token")
	})

	cases.run("unknown token", func(t *testing.T) {
		assertRejected(t, call(t, cached.URL, "/me", "unknown-"+newAccount()), http.StatusUnauthorized, "invalid_token")
	})

	cases.run("revoked token", func(t *testing.T) {
		tok, sub := mint(t, as, "groups", time.Hour)
		assertAccepted(t, call(t, uncached.URL, "/me", tok), sub)
		revoke(t, context.Background(), as, tok)
		assertRejected(t, call(t, uncached.URL, "/me", tok), http.StatusUnauthorized, "invalid_token")
		assertRejected(t, call(t, cached.URL, "/me", tok), http.StatusUnauthorized, "invalid_token")
	})

	cases.run("short-lived token is not cached past exp", func(t *testing.T) {
		var first, revoked result
		tok, sub := shortLived(t, as, func(ctx context.Context, tok string) int64 {
			first = callCtx(t, ctx, cached.URL, "/me", tok)
			// Revoked at the AS, the token is still accepted: the answer
			// comes from the cache (default TTL 60 s), not from the AS...
			revoke(t, ctx, as, tok)
			revoked = callCtx(t, ctx, cached.URL, "/me", tok)
			return first.id.Expires
		})
		assertAccepted(t, first, sub)
		assertAccepted(t, revoked, sub)
		// ...but never after the token's exp.
		sleepPast(t, first.id.Expires)
		assertRejected(t, call(t, cached.URL, "/me", tok), http.StatusUnauthorized, "invalid_token")
	})

	cases.run("expired token, cache disabled", func(t *testing.T) {
		var first result
		tok, sub := shortLived(t, as, func(ctx context.Context, tok string) int64 {
			first = callCtx(t, ctx, uncached.URL, "/me", tok)
			return first.id.Expires
		})
		assertAccepted(t, first, sub)
		sleepPast(t, first.id.Expires)
		assertRejected(t, call(t, uncached.URL, "/me", tok), http.StatusUnauthorized, "invalid_token")
	})

	cases.run("route scope missing", func(t *testing.T) {
		tok, _ := mint(t, as, "openid groups", time.Hour)
		r := call(t, cached.URL, "/admin", tok)
		assertRejected(t, r, http.StatusForbidden, "insufficient_scope")
		assert.Contains(t, r.wwwAuth, `scope="groups admin"`, "the scopes the request needs, held ones included")

		admin, sub := mint(t, as, "groups admin", time.Hour)
		assertAccepted(t, call(t, cached.URL, "/admin", admin), sub)
	})

	cases.run("no scope shared with OIDC_RS_SCOPES", func(t *testing.T) {
		tok, _ := mint(t, as, "openid admin", time.Hour)
		r := call(t, cached.URL, "/me", tok)
		assertRejected(t, r, http.StatusForbidden, "insufficient_scope")
		// OIDC_RS_SCOPES, then the held scope a route needs.
		assert.Contains(t, r.wwwAuth, `scope="`+rsScopes+` admin"`)
		assertRejected(t, call(t, cached.URL, "/admin", tok), http.StatusForbidden, "insufficient_scope")
	})

	cases.run("token without scope", func(t *testing.T) {
		tok, _ := mint(t, as, "", time.Hour)
		assertRejected(t, call(t, cached.URL, "/me", tok), http.StatusForbidden, "insufficient_scope")
	})

	cases.run("wrong RS secret", func(t *testing.T) {
		tok, sub := mint(t, as, "groups", time.Hour)
		assertUnavailable(t, call(t, wrongSecret.URL, "/me", tok))
		// The token itself is good: the RS with the right secret takes it.
		assertAccepted(t, call(t, cached.URL, "/me", tok), sub)
	})

	cases.run("jwks", func(t *testing.T) {
		r := call(t, cached.URL, "/jwks", "")
		if !c.jwt {
			require.Equal(t, http.StatusInternalServerError, r.status)
			assert.JSONEq(t, `{"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`, r.body)
			return
		}
		require.Equal(t, http.StatusOK, r.status)
		keys := jwksKeys(t, r.body)
		require.Len(t, keys, 1)
		assert.Equal(t, "enc", keys[0]["use"])
		assert.Equal(t, c.encAlg, keys[0]["alg"])
		assertPublicOnly(t, keys[0])
	})
}
