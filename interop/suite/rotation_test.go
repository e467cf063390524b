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
