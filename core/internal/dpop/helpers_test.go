package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"

	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

const (
	testToken = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
	testURI   = "https://resource.example.org/protectedresource"
)

var testNow = time.Unix(1_700_000_000, 0)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func athOf(token string) string {
	h := sha256.Sum256([]byte(token))
	return b64(h[:])
}

// goodClaims are the claims of a proof that Verify accepts for goodRequest.
func goodClaims() map[string]any {
	return map[string]any{
		"jti": "e1j3V_bKic8-LAEB",
		"htm": "GET",
		"htu": testURI,
		"iat": testNow.Unix(),
		"ath": athOf(testToken),
	}
}

func goodRequest() Request {
	return Request{Method: "GET", URI: testURI, AccessToken: testToken}
}

func newVerifier() *Verifier {
	return NewVerifier(Config{Now: func() time.Time { return testNow }})
}

func newECKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// publicJWK is the JSON of key's public half.
func publicJWK(t testing.TB, key *ecdsa.PrivateKey) map[string]any {
	raw, err := json.Marshal(jose.JSONWebKey{Key: &key.PublicKey})
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// goodHeader is the protected header of a valid ES256 proof signed by key.
func goodHeader(t testing.TB, key *ecdsa.PrivateKey) map[string]any {
	return map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": publicJWK(t, key)}
}

// signES256 builds a compact JWS by hand, so a test controls every header
// member; the signature is ES256 by key whatever the header says.
func signES256(t testing.TB, header, claims map[string]any, key *ecdsa.PrivateKey) string {
	h, err := json.Marshal(header)
	require.NoError(t, err)
	c, err := json.Marshal(claims)
	require.NoError(t, err)
	input := b64(h) + "." + b64(c)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	require.NoError(t, err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + b64(sig)
}

// signWith signs claims with go-jose, embedding the public key, for the
// algorithms signES256 does not cover.
func signWith(t testing.TB, alg jose.SignatureAlgorithm, key any, claims map[string]any) string {
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := signer.Sign(payload)
	require.NoError(t, err)
	out, err := jws.CompactSerialize()
	require.NoError(t, err)
	return out
}

func thumbprintOf(t testing.TB, pub any) string {
	jwk := jose.JSONWebKey{Key: pub}
	tp, err := jwk.Thumbprint(cryptoSHA256)
	require.NoError(t, err)
	return b64(tp)
}

const cryptoSHA256 = crypto.SHA256
