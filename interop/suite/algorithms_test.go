package suite_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// The JWS algs the AS signs with (asproc generates one key each) and the
// JWE key management and content encryption pairs it encrypts with.
var (
	signingAlgs = []string{"RS256", "ES256", "PS256"}
	encryptions = []struct{ alg, enc, keyType string }{
		{"RSA-OAEP", "A256GCM", "RSA"},
		{"RSA-OAEP-256", "A128CBC-HS256", "RSA"},
		{"ECDH-ES", "A256GCM", "EC"},
	}
)

// TestJWTAlgorithms runs every signing alg with every encryption through
// every app builder: one AS client (and jwks_uri) each.
func TestJWTAlgorithms(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	type combo struct {
		name    string
		builder appBuilder
		client  rsClient
	}
	var combos []combo
	var clients []rsClient
	for _, b := range appBuilders {
		for _, sig := range signingAlgs {
			for _, e := range encryptions {
				c := rsClient{jwt: true, sigAlg: sig, encAlg: e.alg, enc: e.enc, keyType: e.keyType, app: newAppServer(t)}
				c.pem = rsaKeyPEM(t, 0)
				if e.keyType == "EC" {
					c.pem = ecKeyPEM(t)
				}
				name := strings.Join([]string{sig, e.alg, e.enc, b.name}, "/")
				c.id = "rs-" + strings.ToLower(strings.ReplaceAll(name, "/", "-"))
				combos = append(combos, combo{name: name, builder: b, client: c})
				clients = append(clients, c)
			}
		}
	}
	as := asproc.StartT(t, asConfig(clients...))
	var cases tally
	cases.summary(t, "JWT algorithms")
	g := newGroup(t, &cases)
	defer g.wait()

	for _, cb := range combos {
		c := cb.client
		g.run(cb.name, func(t *testing.T) {
			rs := newRS(t, c.env(as, nil))
			c.app.serve(cb.builder.build(rs))

			tok, sub := mint(t, as, "openid groups", time.Hour)
			assertAccepted(t, call(t, c.app.URL, "/me", tok), sub)

			// The AS really used the configured JWE alg and enc, and one
			// of the RS's keys.
			h := introspectionHeader(t, as, c, tok)
			assert.Equal(t, c.encAlg, h["alg"])
			assert.Equal(t, c.enc, h["enc"])
			assert.Equal(t, kids(t, call(t, c.app.URL, "/jwks", "").body), []string{h["kid"].(string)})

			// An RS expecting another signing alg refuses the answer:
			// the configured alg is enforced, so it was the one used.
			other := newAppServer(t)
			other.serve(cb.builder.build(newRS(t, c.env(as, map[string]string{"OIDC_RS_SIGNING_ALGO": otherSigningAlg(c.sigAlg)}))))
			r := call(t, other.URL, "/me", tok)
			require.Equal(t, http.StatusBadGateway, r.status, "body: %s", r.body)
			assert.NotContains(t, r.wwwAuth, "invalid_token")
		})
	}
}

// otherSigningAlg returns a signing alg the AS has a key for, other than
// alg.
func otherSigningAlg(alg string) string {
	for _, a := range signingAlgs {
		if a != alg {
			return a
		}
	}
	return ""
}
