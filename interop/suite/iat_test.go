package suite_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// TestJWTAnswersCarryIAT checks, against oidc-provider, what the JWT
// backend's replay check relies on: every RFC 9701 answer carries an iat
// (core refuses an answer without one, or older than OIDC_RS_JWT_MAX_AGE,
// 60 s by default, plus the leeway, with 502), and it is the time of that
// answer, not of an earlier one replayed. Then a fresh token passes every
// app builder with the default settings.
func TestJWTAnswersCarryIAT(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	clients := map[string]rsClient{}
	var all []rsClient
	for _, b := range appBuilders {
		clients[b.name] = jwtClient(t, "rs-iat-"+b.name)
		all = append(all, clients[b.name])
	}
	as := asproc.StartT(t, asConfig(all...))
	var cases tally
	cases.summary(t, "RFC 9701 iat")
	g := newGroup(t, &cases)
	defer g.wait()

	for _, b := range appBuilders {
		c := clients[b.name]
		g.run(b.name, func(t *testing.T) {
			rs := newRS(t, c.env(as, nil))
			require.Equal(t, 60*time.Second, rs.Settings().JWTMaxAge, "the default OIDC_RS_JWT_MAX_AGE")
			c.app.serve(b.build(rs)) // the AS fetches the RS's key from it

			tok, sub := mint(t, as, "groups", time.Hour)
			before := time.Now().Truncate(time.Second)
			first := introspectionClaims(t, as, c, tok)
			assert.Equal(t, as.URL, first["iss"])
			assert.Equal(t, c.id, first["aud"])
			iat := unixClaim(t, first, "iat")
			assert.False(t, iat.Before(before), "iat %s is older than the request (%s)", iat, before)
			assert.False(t, iat.After(time.Now()), "iat %s is in the future", iat)

			// A second answer, a second later, has a later iat: the AS signs
			// each answer anew, so the max-age check never refuses the
			// answers of a token that is still valid.
			time.Sleep(time.Until(iat.Add(1100 * time.Millisecond)))
			second := unixClaim(t, introspectionClaims(t, as, c, tok), "iat")
			assert.True(t, second.After(iat), "second iat %s, first %s", second, iat)

			assertAccepted(t, call(t, c.app.URL, "/me", tok), sub)
		})
	}
}

// introspectionClaims introspects token as c, the way c's resource server
// does, decrypts the answer with c's key, verifies its signature with the
// AS's published keys, and returns its claims (iss, aud, iat,
// token_introspection).
func introspectionClaims(t *testing.T, as *asproc.AS, c rsClient, token string) map[string]any {
	t.Helper()
	body := introspectRaw(t, as, c, token)
	block, _ := pem.Decode([]byte(c.pem))
	require.NotNil(t, block)
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	jwe, err := jose.ParseEncryptedCompact(body, []jose.KeyAlgorithm{jose.KeyAlgorithm(c.encAlg)},
		[]jose.ContentEncryption{jose.ContentEncryption(c.enc)})
	require.NoError(t, err)
	plain, err := jwe.Decrypt(key)
	require.NoError(t, err)
	jws, err := jose.ParseSignedCompact(string(plain), []jose.SignatureAlgorithm{jose.SignatureAlgorithm(c.sigAlg)})
	require.NoError(t, err)
	require.Len(t, jws.Signatures, 1)
	payload, err := jws.Verify(asSigningKey(t, as, jws.Signatures[0].Protected.KeyID))
	require.NoError(t, err)
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&claims))
	return claims
}

// asSigningKey returns the AS's published public key kid.
func asSigningKey(t *testing.T, as *asproc.AS, kid string) *jose.JSONWebKey {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, as.JWKSURL(), nil)
	require.NoError(t, err)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var set jose.JSONWebKeySet
	require.NoError(t, json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set))
	keys := set.Key(kid)
	require.Len(t, keys, 1, "kid %q in the AS's JWKS", kid)
	return &keys[0]
}

// unixClaim reads a NumericDate claim, which must be present.
func unixClaim(t *testing.T, claims map[string]any, name string) time.Time {
	t.Helper()
	n, ok := claims[name].(json.Number)
	require.True(t, ok, "%s is missing or not a number: %v", name, claims[name])
	sec, err := n.Int64()
	require.NoError(t, err, "%s is not whole seconds", name)
	return time.Unix(sec, 0)
}
