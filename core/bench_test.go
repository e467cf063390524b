package core_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The benchmarks come in pairs that scripts/bench.sh compares: a route with
// and without the middleware (the cost of a cache hit), and uncached JWT
// introspection against its cryptographic floor plus the JSON round trip.
// The parallel ones, which check scaling with cores, are in
// parallel_bench_test.go.

// benchOpaqueToken looks like an opaque access token from node
// oidc-provider or Keycloak: 43 characters of base64url.
const benchOpaqueToken = "kVq3u6n0-Xq_7Jc2mTz9pLr4wYb8sDe1fGh5iKj3lMn"

var benchSink *core.TokenInfo

// benchHandler is the route: it reads the TokenInfo, if any, and answers
// 204.
var benchHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	benchSink, _ = core.FromContext(r.Context())
	w.WriteHeader(http.StatusNoContent)
})

// benchAnswer is a realistic active introspection answer.
func benchAnswer(as *oidcrstest.Server) map[string]any {
	now := time.Now()
	return map[string]any{"active": true, "iss": as.URL, "client_id": oidcrstest.DefaultSPClientID,
		"sub": oidcrstest.DefaultSubject, "scope": "openid groups email", "token_type": "Bearer",
		"iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix()}
}

// benchCachedRoute serves "Bearer "+sent through rs.Middleware (or the bare
// route when wrap is false) with a prebuilt request and recorder; token is
// what the authorization server knows (sent, or its base64 decoding).
func benchCachedRoute(b *testing.B, wrap bool, token, sent string) {
	as, rs := startPerf(b, perfSetup{edit: func(s *core.Settings) { s.CacheTTL = time.Hour }})
	as.SetAnswer(token, benchAnswer(as))
	var h http.Handler = benchHandler
	if wrap {
		h = rs.Middleware()(benchHandler)
	}
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/items", nil)
	req.Header.Set("Authorization", "Bearer "+sent)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req) // fills the cache
	if w.Code != http.StatusNoContent {
		b.Fatalf("status %d", w.Code)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	if wrap && (benchSink == nil || as.IntrospectionCalls() != 1) {
		b.Fatalf("not a cache hit: %d introspections", as.IntrospectionCalls())
	}
}

func BenchmarkBareNetHTTP(b *testing.B) {
	benchCachedRoute(b, false, benchOpaqueToken, benchOpaqueToken)
}

func BenchmarkCachedHitNetHTTP(b *testing.B) {
	benchCachedRoute(b, true, benchOpaqueToken, benchOpaqueToken)
}

// BenchmarkCachedAuthenticate is the framework-neutral part of a cache
// hit, which every adapter shares: the token extraction, the fingerprinted
// key, the cache lookup and the expiry checks, without the context write
// (Authenticate's one allocation).
func BenchmarkCachedAuthenticate(b *testing.B) {
	benchCachedHit(b, perfSetup{edit: func(s *core.Settings) { s.CacheTTL = time.Hour }})
}

// benchCachedHit measures core's cache hit (token extraction, key, lookup,
// expiry checks) on a server built from setup, and checks that every
// round was a hit.
func benchCachedHit(b *testing.B, setup perfSetup) {
	as, rs := startPerf(b, setup)
	as.SetAnswer(benchOpaqueToken, benchAnswer(as))
	ctx, hdr := context.Background(), "Bearer "+benchOpaqueToken
	b.ReportAllocs()
	for b.Loop() {
		tok, err := core.ExtractToken(hdr)
		if err != nil {
			b.Fatal(err)
		}
		ti, err := core.Verify(ctx, rs, tok)
		if err != nil {
			b.Fatal(err)
		}
		benchSink = ti
	}
	if as.IntrospectionCalls() != 1 {
		b.Fatalf("not a cache hit: %d introspections", as.IntrospectionCalls())
	}
}

// BenchmarkFloorNetHTTP is the floor of a cache hit: the bare route
// behind a middleware that only passes a value to it, one
// context.WithValue and one Request.WithContext, the least any net/http
// middleware handing a TokenInfo to its handler can do. CachedHit - Floor
// is what oidcrs itself adds. (It was BenchmarkContextWriteNetHTTP.)
func BenchmarkFloorNetHTTP(b *testing.B) {
	ti := &core.TokenInfo{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		benchHandler.ServeHTTP(w, r.WithContext(core.NewContext(r.Context(), ti)))
	})
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/items", nil)
	req.Header.Set("Authorization", "Bearer "+benchOpaqueToken)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	if benchSink != ti || w.Code != http.StatusNoContent {
		b.Fatal("the handler did not run")
	}
}

// BenchmarkCachedHitNetHTTPBase64 takes the reference's base64 rule: the
// header carries the standard base64 of the token, which is decoded.
func BenchmarkCachedHitNetHTTPBase64(b *testing.B) {
	benchCachedRoute(b, true, benchOpaqueToken, base64.StdEncoding.EncodeToString([]byte(benchOpaqueToken)))
}

// BenchmarkCachedHitNetHTTPBase64Binary sends a token that is valid
// base64 but decodes to invalid UTF-8: the decoding is tried and dropped.
func BenchmarkCachedHitNetHTTPBase64Binary(b *testing.B) {
	const tok = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4"
	benchCachedRoute(b, true, tok, tok)
}

// BenchmarkCachedHitNetHTTPJWTShaped uses a 1 KB JWT-shaped access token:
// hashing grows with the token.
func BenchmarkCachedHitNetHTTPJWTShaped(b *testing.B) {
	tok := "eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("eyJzdWIiOiJ1c2VyLTEifQ", 40) + "." + strings.Repeat("c2lnbmF0dXJl", 28)
	benchCachedRoute(b, true, tok, tok)
}

// benchUncached introspects one token per iteration, cache disabled. The
// fake authorization server answers with the same prebuilt body each time,
// so that its own signing and encryption are not measured.
func benchUncached(b *testing.B, p perfSetup) {
	p.edit = func(s *core.Settings) { s.DisableCache = true }
	as, rs := startPerf(b, p)
	body, ctype := benchBody(b, as, p)
	as.SetAnswerFunc(func(string, map[string]any) (int, string, []byte) { return http.StatusOK, ctype, body })
	ctx, hdr := context.Background(), "Bearer "+benchOpaqueToken
	if _, err := authenticate(rs, ctx, hdr); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := authenticate(rs, ctx, hdr); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBody is the authorization server's answer: JSON, or the RFC 9701
// JWE.
func benchBody(b *testing.B, as *oidcrstest.Server, p perfSetup) ([]byte, string) {
	if p.mode != oidcrstest.JWT {
		body, err := json.Marshal(benchAnswer(as))
		if err != nil {
			b.Fatal(err)
		}
		return body, "application/json"
	}
	jwe, err := as.EncryptAnswer(benchAnswer(as))
	if err != nil {
		b.Fatal(err)
	}
	return []byte(jwe), "application/token-introspection+jwt"
}

func BenchmarkIntrospectJSONUncached(b *testing.B) { benchUncached(b, perfSetup{}) }

func BenchmarkIntrospectJWTUncached_RSA(b *testing.B) {
	benchUncached(b, perfSetup{mode: oidcrstest.JWT})
}

func BenchmarkIntrospectJWTUncached_EC(b *testing.B) {
	benchUncached(b, perfSetup{mode: oidcrstest.JWT, ec: true})
}

// cryptoFloor returns the least any RFC 9701 resource server must do with
// the answer of benchUncached: parse the compact JWE, decrypt it, parse the
// compact JWS, verify it. No HTTP, no claim checks.
func cryptoFloor(b *testing.B, p perfSetup) func() {
	p.mode = oidcrstest.JWT
	as, rs := startPerf(b, p)
	body, _ := benchBody(b, as, p)
	keyType, sigAlg := "RSA", jose.RS256
	if p.ec {
		keyType, sigAlg = "EC", jose.ES256
	}
	priv, err := core.ParsePrivateKeys(rs.Settings().PrivateKey, keyType)
	if err != nil {
		b.Fatal(err)
	}
	signer := as.SigningKey()
	pub := signer.Public()
	keyAlgs, encs := []jose.KeyAlgorithm{as.Config().KeyAlg}, []jose.ContentEncryption{as.Config().ContentEnc}
	compact := string(body)
	return func() {
		jwe, err := jose.ParseEncryptedCompact(compact, keyAlgs, encs)
		if err != nil {
			b.Fatal(err)
		}
		plain, err := jwe.Decrypt(priv[0].Key)
		if err != nil {
			b.Fatal(err)
		}
		jws, err := jose.ParseSignedCompact(string(plain), []jose.SignatureAlgorithm{sigAlg})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jws.Verify(&pub); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCryptoFloor(b *testing.B, p perfSetup) {
	floor := cryptoFloor(b, p)
	b.ReportAllocs()
	for b.Loop() {
		floor()
	}
}

func BenchmarkCryptoFloor_RSA(b *testing.B) { benchCryptoFloor(b, perfSetup{}) }

func BenchmarkCryptoFloor_EC(b *testing.B) { benchCryptoFloor(b, perfSetup{ec: true}) }

// benchFloorThenJSON runs the crypto floor, then an uncached JSON
// introspection, in each iteration: the sum the JWT backend is compared
// with, measured in one loop so that both pay the same scheduling costs (a
// loopback round trip that follows CPU-bound work waits longer for idle
// threads to wake than one in a tight loop).
func benchFloorThenJSON(b *testing.B, p perfSetup) {
	floor := cryptoFloor(b, p)
	as, rs := startPerf(b, perfSetup{edit: func(s *core.Settings) { s.DisableCache = true }})
	body, ctype := benchBody(b, as, perfSetup{})
	as.SetAnswerFunc(func(string, map[string]any) (int, string, []byte) { return http.StatusOK, ctype, body })
	ctx, hdr := context.Background(), "Bearer "+benchOpaqueToken
	b.ReportAllocs()
	for b.Loop() {
		floor()
		if _, err := authenticate(rs, ctx, hdr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloorThenJSON_RSA(b *testing.B) { benchFloorThenJSON(b, perfSetup{}) }

func BenchmarkFloorThenJSON_EC(b *testing.B) { benchFloorThenJSON(b, perfSetup{ec: true}) }
