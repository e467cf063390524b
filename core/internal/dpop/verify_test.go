package dpop

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyAcceptsEveryAllowedAlgorithm(t *testing.T) {
	ec384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ec256 := newECKey(t)
	for _, tc := range []struct {
		alg      jose.SignatureAlgorithm
		key, pub any
	}{
		{jose.ES256, ec256, &ec256.PublicKey},
		{jose.ES384, ec384, &ec384.PublicKey},
		{jose.PS256, rsaKey, &rsaKey.PublicKey},
		{jose.RS256, rsaKey, &rsaKey.PublicKey},
		{jose.EdDSA, edKey, edPub},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			jkt, err := newVerifier().Verify(signWith(t, tc.alg, tc.key, goodClaims()), goodRequest())
			require.NoError(t, err)
			assert.Equal(t, thumbprintOf(t, tc.pub), jkt)
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	key := newECKey(t)
	other := newECKey(t)
	privateJWK := publicJWK(t, key)
	privateJWK["d"] = b64(key.D.FillBytes(make([]byte, 32)))

	for _, tc := range []struct {
		name   string
		header func(h map[string]any)
		claims func(c map[string]any)
		req    func(r *Request)
		proof  func(p string) string
		want   Kind
	}{
		{name: "typ jwt", header: func(h map[string]any) { h["typ"] = "JWT" }, want: KindType},
		{name: "typ missing", header: func(h map[string]any) { delete(h, "typ") }, want: KindType},
		{name: "alg none", header: func(h map[string]any) { h["alg"] = "none" }, want: KindAlgorithm},
		{name: "alg HS256", header: func(h map[string]any) { h["alg"] = "HS256" }, want: KindAlgorithm},
		{name: "alg ES512", header: func(h map[string]any) { h["alg"] = "ES512" }, want: KindAlgorithm},
		{name: "alg missing", header: func(h map[string]any) { delete(h, "alg") }, want: KindAlgorithm},
		{name: "jwk missing", header: func(h map[string]any) { delete(h, "jwk") }, want: KindKey},
		{name: "jwk private", header: func(h map[string]any) { h["jwk"] = privateJWK }, want: KindKey},
		{name: "jwk symmetric", header: func(h map[string]any) {
			h["jwk"] = map[string]any{"kty": "oct", "k": b64([]byte("0123456789abcdef"))}
		}, want: KindKey},
		{name: "jwk of another key", header: func(h map[string]any) { h["jwk"] = publicJWK(t, other) }, want: KindSignature},
		{name: "signature altered", proof: func(p string) string {
			i := strings.LastIndexByte(p, '.')
			sig, err := base64.RawURLEncoding.DecodeString(p[i+1:])
			require.NoError(t, err)
			sig[3] ^= 1
			return p[:i+1] + b64(sig)
		}, want: KindSignature},
		{name: "jti missing", claims: func(c map[string]any) { delete(c, "jti") }, want: KindJTI},
		{name: "jti empty", claims: func(c map[string]any) { c["jti"] = "" }, want: KindJTI},
		{name: "jti too long", claims: func(c map[string]any) { c["jti"] = strings.Repeat("j", 257) }, want: KindJTI},
		{name: "jti a number", claims: func(c map[string]any) { c["jti"] = 7 }, want: KindMalformed},
		{name: "htm other", claims: func(c map[string]any) { c["htm"] = "POST" }, want: KindMethod},
		{name: "htm lower case", claims: func(c map[string]any) { c["htm"] = "get" }, want: KindMethod},
		{name: "htm missing", claims: func(c map[string]any) { delete(c, "htm") }, want: KindMethod},
		{name: "htu other path", claims: func(c map[string]any) { c["htu"] = "https://resource.example.org/other" }, want: KindURI},
		{name: "htu other host", claims: func(c map[string]any) { c["htu"] = "https://evil.example/protectedresource" }, want: KindURI},
		{name: "htu other scheme", claims: func(c map[string]any) { c["htu"] = "http://resource.example.org/protectedresource" }, want: KindURI},
		{name: "htu other port", claims: func(c map[string]any) { c["htu"] = "https://resource.example.org:8443/protectedresource" }, want: KindURI},
		{name: "htu relative", claims: func(c map[string]any) { c["htu"] = "/protectedresource" }, want: KindURI},
		{name: "htu missing", claims: func(c map[string]any) { delete(c, "htu") }, want: KindURI},
		{name: "request URI empty", req: func(r *Request) { r.URI = "" }, want: KindURI},
		{name: "iat too old", claims: func(c map[string]any) { c["iat"] = testNow.Add(-61 * time.Second).Unix() }, want: KindIssuedAt},
		{name: "iat too new", claims: func(c map[string]any) { c["iat"] = testNow.Add(61 * time.Second).Unix() }, want: KindIssuedAt},
		{name: "iat missing", claims: func(c map[string]any) { delete(c, "iat") }, want: KindIssuedAt},
		{name: "iat a string", claims: func(c map[string]any) { c["iat"] = "1700000000" }, want: KindMalformed},
		{name: "ath missing", claims: func(c map[string]any) { delete(c, "ath") }, want: KindTokenHash},
		{name: "ath of another token", claims: func(c map[string]any) { c["ath"] = athOf("another") }, want: KindTokenHash},
		{name: "ath padded", claims: func(c map[string]any) { c["ath"] = athOf(testToken) + "=" }, want: KindTokenHash},
		{name: "request method empty", req: func(r *Request) { r.Method = "" }, want: KindMethod},
		{name: "two dots only", proof: func(string) string { return ".." }, want: KindMalformed},
		{name: "four parts", proof: func(p string) string { return p + ".x" }, want: KindMalformed},
		{name: "too long", proof: func(p string) string { return p + strings.Repeat("A", maxProofLen) }, want: KindMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, c, r := goodHeader(t, key), goodClaims(), goodRequest()
			if tc.header != nil {
				tc.header(h)
			}
			if tc.claims != nil {
				tc.claims(c)
			}
			if tc.req != nil {
				tc.req(&r)
			}
			proof := signES256(t, h, c, key)
			if tc.proof != nil {
				proof = tc.proof(proof)
			}
			jkt, err := newVerifier().Verify(proof, r)
			assertKind(t, err, tc.want)
			assert.Empty(t, jkt)
		})
	}
}

func TestVerifyRefusesShortRSAKey(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	_, err = newVerifier().Verify(signWith(t, jose.RS256, weak, goodClaims()), goodRequest())
	assertKind(t, err, KindKey)
}

func TestVerifyAcceptsTheWindowEdgesAndNormalisedURIs(t *testing.T) {
	key := newECKey(t)
	for _, tc := range []struct {
		name  string
		claim func(c map[string]any)
	}{
		{"iat 60s old", func(c map[string]any) { c["iat"] = testNow.Add(-60 * time.Second).Unix() }},
		{"iat 60s ahead", func(c map[string]any) { c["iat"] = testNow.Add(60 * time.Second).Unix() }},
		{"iat fractional", func(c map[string]any) { c["iat"] = float64(testNow.Unix()) + 0.5 }},
		{"htu with query and fragment", func(c map[string]any) { c["htu"] = testURI + "?a=b#frag" }},
		{"htu upper-case host and scheme", func(c map[string]any) { c["htu"] = "HTTPS://Resource.Example.ORG/protectedresource" }},
		{"htu default port", func(c map[string]any) { c["htu"] = "https://resource.example.org:443/protectedresource" }},
		{"htu percent-encoded unreserved", func(c map[string]any) { c["htu"] = "https://resource.example.org/%70rotectedresource" }},
		{"typ upper case", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, c := goodHeader(t, key), goodClaims()
			if tc.claim != nil {
				tc.claim(c)
			} else {
				h["typ"] = "DPoP+JWT"
			}
			jkt, err := newVerifier().Verify(signES256(t, h, c, key), goodRequest())
			require.NoError(t, err)
			assert.Equal(t, thumbprintOf(t, &key.PublicKey), jkt)
		})
	}
}

func TestVerifyRefusesAReplayedProof(t *testing.T) {
	key := newECKey(t)
	now := testNow
	v := NewVerifier(Config{Now: func() time.Time { return now }})
	proof := signES256(t, goodHeader(t, key), goodClaims(), key)
	_, err := v.Verify(proof, goodRequest())
	require.NoError(t, err)
	_, err = v.Verify(proof, goodRequest())
	assertKind(t, err, KindReplay)

	// The same jti from another key is another proof.
	otherKey := newECKey(t)
	_, err = v.Verify(signES256(t, goodHeader(t, otherKey), goodClaims(), otherKey), goodRequest())
	require.NoError(t, err)

	// Once the window has passed the proof is refused for its iat anyway.
	now = testNow.Add(61 * time.Second)
	_, err = v.Verify(proof, goodRequest())
	assertKind(t, err, KindIssuedAt)
}

// TestVerifyRFC9449Example checks the proof of RFC 9449 Figure 2, whose key's
// thumbprint Figure 9 publishes. It was made for a token endpoint, so it has
// no ath: Verify accepts everything else and refuses it for that alone.
func TestVerifyRFC9449Example(t *testing.T) {
	const proof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
	p, err := parse(proof)
	require.NoError(t, err)
	assert.Equal(t, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I", p.jkt)
	assert.Equal(t, "-BwC3ESc6acc2lTc", *p.claims.JTI)

	v := NewVerifier(Config{Now: func() time.Time { return time.Unix(1562262616, 0) }})
	_, err = v.Verify(proof, Request{Method: "POST", URI: "https://server.example.com/token", AccessToken: testToken})
	assertKind(t, err, KindTokenHash)
}

func TestErrorMatchesSentinelAndHidesInput(t *testing.T) {
	_, err := newVerifier().Verify("not a proof", goodRequest())
	require.ErrorIs(t, err, ErrInvalidProof)
	assert.NotContains(t, err.Error(), "not a proof")
	assert.Equal(t, "unknown", Kind(0).String())
}

func assertKind(t *testing.T, err error, want Kind) {
	t.Helper()
	if want == KindReplayFull {
		require.ErrorIs(t, err, ErrReplayFull)
		require.NotErrorIs(t, err, ErrInvalidProof)
	} else {
		require.ErrorIs(t, err, ErrInvalidProof)
		require.NotErrorIs(t, err, ErrReplayFull)
	}
	var e *Error
	require.True(t, errors.As(err, &e))
	assert.Equal(t, want, e.Kind(), "got %v, want %v", e.Kind(), want)
}

func TestVerifyFailsClosedWhenTheReplayCacheIsFull(t *testing.T) {
	key := newECKey(t)
	v := NewVerifier(Config{Now: func() time.Time { return testNow }, Replay: NewReplay(1)})
	_, err := v.Verify(signES256(t, goodHeader(t, key), goodClaims(), key), goodRequest())
	require.NoError(t, err)
	c := goodClaims()
	c["jti"] = "another"
	_, err = v.Verify(signES256(t, goodHeader(t, key), c, key), goodRequest())
	assertKind(t, err, KindReplayFull)
}
