package asproc_test

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

const jwtType = "application/token-introspection+jwt"

var b64 = base64.RawURLEncoding

// jwksServer serves a JWKS on 127.0.0.1 that the test can swap at will.
type jwksServer struct {
	*httptest.Server
	body atomic.Pointer[[]byte]
}

func newJWKSServer(t *testing.T, keys ...map[string]any) *jwksServer {
	s := &jwksServer{}
	s.set(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(*s.body.Load())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(t *testing.T, keys ...map[string]any) {
	b, err := json.Marshal(map[string]any{"keys": keys})
	require.NoError(t, err)
	s.body.Store(&b)
}

func rsaEncJWK(kid string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "enc", "alg": "RSA-OAEP", "kid": kid,
		"n": b64.EncodeToString(pub.N.Bytes()),
		"e": b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func ecEncJWK(kid string, pub *ecdh.PublicKey) map[string]any {
	point := pub.Bytes() // 0x04 || X || Y, 32 bytes each for P-256
	return map[string]any{
		"kty": "EC", "crv": "P-256", "use": "enc", "alg": "ECDH-ES", "kid": kid,
		"x": b64.EncodeToString(point[1:33]), "y": b64.EncodeToString(point[33:]),
	}
}

func decodeJSONSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	raw, err := b64.DecodeString(seg)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// introspectJWT introspects with Accept: application/token-introspection+jwt
// and returns the compact serialization, checking status and media type.
func introspectJWT(t *testing.T, as *asproc.AS, id, token string) string {
	t.Helper()
	resp, body := introspect(t, as, id, id+"-secret", token, jwtType)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), jwtType), resp.Header.Get("Content-Type"))
	return string(body)
}

// decryptRSAOAEPA256GCM decrypts a compact RSA-OAEP/A256GCM JWE with stdlib.
func decryptRSAOAEPA256GCM(t *testing.T, priv *rsa.PrivateKey, jwe string) string {
	t.Helper()
	p := strings.Split(jwe, ".")
	require.Len(t, p, 5)
	seg := func(s string) []byte {
		b, err := b64.DecodeString(s)
		require.NoError(t, err)
		return b
	}
	cek, err := rsa.DecryptOAEP(sha1.New(), nil, priv, seg(p[1]), nil)
	require.NoError(t, err)
	block, err := aes.NewCipher(cek)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	plain, err := gcm.Open(nil, seg(p[2]), append(seg(p[3]), seg(p[4])...), []byte(p[0]))
	require.NoError(t, err)
	return string(plain)
}

// verifyRS256 checks a compact JWS against the AS's published RS256 key.
func verifyRS256(t *testing.T, as *asproc.AS, jws string) {
	t.Helper()
	resp, err := http.Get(as.JWKSURL())
	require.NoError(t, err)
	defer resp.Body.Close()
	var set struct{ Keys []map[string]string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&set))
	p := strings.Split(jws, ".")
	kid := decodeJSONSegment(t, p[0])["kid"]
	for _, k := range set.Keys {
		if k["kid"] != kid {
			continue
		}
		n, _ := b64.DecodeString(k["n"])
		e, _ := b64.DecodeString(k["e"])
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		sig, _ := b64.DecodeString(p[2])
		digest := sha256.Sum256([]byte(p[0] + "." + p[1]))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig))
		return
	}
	t.Fatalf("kid %v not in AS JWKS", kid)
}

func jwtClient(id string, meta map[string]any) map[string]any {
	c := map[string]any{
		"client_id":                  id,
		"client_secret":              id + "-secret",
		"grant_types":                []string{},
		"response_types":             []string{},
		"redirect_uris":              []string{},
		"token_endpoint_auth_method": "client_secret_post",
	}
	for k, v := range meta {
		c[k] = v
	}
	return c
}

func TestJWTIntrospection(t *testing.T) {
	t.Parallel()
	rsa1, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rsa2, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	rsaJWKS := newJWKSServer(t, rsaEncJWK("rsa-1", &rsa1.PublicKey))
	ecJWKS := newJWKSServer(t, ecEncJWK("ec-1", ecKey.PublicKey()))

	as := asproc.StartT(t, asproc.Config{
		Clients: []map[string]any{
			spClient(),
			jwtClient("rs-rsa", map[string]any{
				"introspection_signed_response_alg":    "RS256",
				"introspection_encrypted_response_alg": "RSA-OAEP",
				"introspection_encrypted_response_enc": "A256GCM",
				"jwks_uri":                             rsaJWKS.URL,
			}),
			jwtClient("rs-ec", map[string]any{
				"introspection_signed_response_alg":    "ES256",
				"introspection_encrypted_response_alg": "ECDH-ES",
				"introspection_encrypted_response_enc": "A256GCM",
				"jwks_uri":                             ecJWKS.URL,
			}),
			jwtClient("rs-sig", map[string]any{"introspection_signed_response_alg": "PS256"}),
		},
		Scopes:      []string{"groups", "admin"},
		MaxLifetime: 2 * time.Minute,
	})
	ctx := context.Background()
	tok, err := as.MintToken(ctx, "user-1", spID, "openid groups", time.Hour)
	require.NoError(t, err)

	checkRSA := func(t *testing.T, priv *rsa.PrivateKey, kid string) {
		jwe := introspectJWT(t, as, "rs-rsa", tok)
		parts := strings.Split(jwe, ".")
		require.Len(t, parts, 5)
		h := decodeJSONSegment(t, parts[0])
		assert.Equal(t, map[string]any{
			"alg": "RSA-OAEP", "enc": "A256GCM", "cty": "JWT", "kid": kid,
			"iss": as.URL, "aud": "rs-rsa",
		}, h)

		jws := decryptRSAOAEPA256GCM(t, priv, jwe)
		p := strings.Split(jws, ".")
		require.Len(t, p, 3)
		assert.Equal(t, map[string]any{"alg": "RS256", "typ": "token-introspection+jwt", "kid": "RS256"},
			decodeJSONSegment(t, p[0]))
		verifyRS256(t, as, jws)
		claims := decodeJSONSegment(t, p[1])
		assert.Equal(t, as.URL, claims["iss"])
		assert.Equal(t, "rs-rsa", claims["aud"])
		assert.Contains(t, claims, "iat")
		assert.NotContains(t, claims, "exp")
		ti, _ := claims["token_introspection"].(map[string]any)
		assert.Equal(t, true, ti["active"])
		assert.Equal(t, "user-1", ti["sub"])
		assert.Equal(t, spID, ti["client_id"])
		assert.Equal(t, "openid groups", ti["scope"])
	}

	t.Run("RSA-OAEP A256GCM", func(t *testing.T) { checkRSA(t, rsa1, "rsa-1") })

	t.Run("JSON accept is rejected for encrypting client", func(t *testing.T) {
		resp, body := introspect(t, as, "rs-rsa", "rs-rsa-secret", tok, "application/json")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		assert.Contains(t, string(body), "invalid_request")
	})

	t.Run("ECDH-ES", func(t *testing.T) {
		parts := strings.Split(introspectJWT(t, as, "rs-ec", tok), ".")
		require.Len(t, parts, 5)
		assert.Empty(t, parts[1], "ECDH-ES direct key agreement has no encrypted key")
		h := decodeJSONSegment(t, parts[0])
		assert.Equal(t, "ECDH-ES", h["alg"])
		assert.Equal(t, "A256GCM", h["enc"])
		assert.Equal(t, "JWT", h["cty"])
		assert.Equal(t, "ec-1", h["kid"])
		epk, _ := h["epk"].(map[string]any)
		assert.Equal(t, "P-256", epk["crv"])
	})

	t.Run("signed only", func(t *testing.T) {
		p := strings.Split(introspectJWT(t, as, "rs-sig", tok), ".")
		require.Len(t, p, 3)
		assert.Equal(t, "PS256", decodeJSONSegment(t, p[0])["alg"])
		assert.Equal(t, "rs-sig", decodeJSONSegment(t, p[1])["aud"])
		resp, body := introspect(t, as, "rs-sig", "rs-sig-secret", tok, "application/json")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Contains(t, string(body), `"active":true`)
	})

	t.Run("refresh JWKS after key rotation", func(t *testing.T) {
		rsaJWKS.set(t, rsaEncJWK("rsa-2", &rsa2.PublicKey))
		kids, err := as.RefreshJWKS(ctx, "rs-rsa")
		require.NoError(t, err)
		assert.Equal(t, []string{"rsa-2"}, kids)
		checkRSA(t, rsa2, "rsa-2")

		_, err = as.RefreshJWKS(ctx, "no-such-client")
		assert.ErrorContains(t, err, "400")
	})
}
