package asproc_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// TestDPoPBoundTokens checks that oidc-provider binds a client_credentials
// token to the key of the DPoP proof sent with the request: token_type
// DPoP and cnf.jkt in the introspection answer (opaque) or in the claims
// (at+jwt), and that a request without a proof still gets a Bearer token.
func TestDPoPBoundTokens(t *testing.T) {
	t.Parallel()
	const resource = "https://api.example/"
	as := asproc.StartT(t, asproc.Config{
		Clients:         []map[string]any{spClient(), rsJSONClient()},
		Scopes:          []string{"groups", "admin"},
		SigningKeys:     []string{"RS256", "ES256"},
		ResourceServers: map[string]asproc.ResourceServer{resource: {Scope: "groups", Alg: "ES256"}},
		MaxLifetime:     2 * time.Minute,
	})
	ctx := context.Background()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	for name, key := range map[string]crypto.Signer{"ES256": ec, "EdDSA": ed} {
		t.Run(name, func(t *testing.T) {
			jkt, err := asproc.Thumbprint(key)
			require.NoError(t, err)
			tok, err := as.ClientCredentialsDPoP(ctx, spID, spSecret, "groups", "", key)
			require.NoError(t, err)
			assert.Equal(t, 0, strings.Count(tok, "."), "no resource: opaque")
			m := introspectJSON(t, as, tok)
			assert.Equal(t, true, m["active"])
			assert.Equal(t, "DPoP", m["token_type"])
			assert.Equal(t, map[string]any{"jkt": jkt}, m["cnf"])

			jwt, err := as.ClientCredentialsDPoP(ctx, spID, spSecret, "groups", resource, key)
			require.NoError(t, err)
			assert.Equal(t, map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": "ES256"}, jwsPart(t, jwt, 0))
			c := jwsPart(t, jwt, 1)
			assert.Equal(t, map[string]any{"jkt": jkt}, c["cnf"])
			assert.ElementsMatch(t, []string{"jti", "sub", "iat", "exp", "scope", "client_id", "iss", "aud", "cnf"},
				slices.Collect(maps.Keys(c)))
		})
	}

	t.Run("no proof, no binding", func(t *testing.T) {
		tok, err := as.ClientCredentials(ctx, spID, spSecret, "groups")
		require.NoError(t, err)
		m := introspectJSON(t, as, tok)
		assert.Equal(t, "Bearer", m["token_type"])
		assert.NotContains(t, m, "cnf")
		jwt, err := as.ClientCredentialsFor(ctx, spID, spSecret, "groups", resource)
		require.NoError(t, err)
		assert.NotContains(t, jwsPart(t, jwt, 1), "cnf")
	})

	t.Run("a key with no DPoP alg is refused before any request", func(t *testing.T) {
		_, err := as.ClientCredentialsDPoP(ctx, spID, spSecret, "groups", "", rsaSigner{})
		require.ErrorContains(t, err, "no DPoP alg")
	})
}

// rsaSigner is a key type Proof.Sign does not sign with.
type rsaSigner struct{ crypto.Signer }

func (rsaSigner) Public() crypto.PublicKey { return &rsa.PublicKey{} }

// TestProofShape checks the header and claims of a proof built by Proof.
func TestProofShape(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	iat := time.Unix(1_700_000_000, 0)
	proof, err := asproc.Proof{Method: http.MethodGet, URI: "https://api.example/me", AccessToken: "tok",
		JTI: "id-1", IssuedAt: iat}.Sign(key)
	require.NoError(t, err)

	jws, err := jose.ParseSignedCompact(proof, []jose.SignatureAlgorithm{jose.ES256})
	require.NoError(t, err)
	h := jws.Signatures[0].Protected
	assert.Equal(t, "dpop+jwt", h.ExtraHeaders["typ"])
	require.NotNil(t, h.JSONWebKey)
	assert.True(t, h.JSONWebKey.IsPublic(), "the jwk header holds the public key only")
	_, err = jws.Verify(h.JSONWebKey)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"jti": "id-1", "htm": "GET", "htu": "https://api.example/me",
		"iat": float64(iat.Unix()), "ath": asproc.TokenHash("tok")}, jwsPart(t, proof, 1))
	assert.Equal(t, "GnZ0607njffhrEOak8P6jjyUV4TU3sn9jjARc4svHWI", asproc.TokenHash("tok"), "base64url(SHA-256)")

	fresh, err := asproc.Proof{Method: http.MethodPost, URI: "https://as.example/token"}.Sign(key)
	require.NoError(t, err)
	c := jwsPart(t, fresh, 1)
	assert.NotContains(t, c, "ath", "no access token, no ath")
	assert.NotEmpty(t, c["jti"])
	assert.InDelta(t, time.Now().Unix(), c["iat"], 60)
}
