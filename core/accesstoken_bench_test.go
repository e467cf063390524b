package core_test

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Local RFC 9068 validation against its floor, side by side in one
// process: the floor is go-jose parsing and verifying the same token with
// the same key, the least any local validator does.
//
//	AccessTokenFloor_<alg>     jose.ParseSignedCompact + Verify
//	AccessTokenUncached_<alg>  Authenticate with the cache off: the whole check
//	AccessTokenCached_<alg>    Authenticate on a repeated token: a cache hit

func benchAccessToken(b *testing.B, alg jose.SignatureAlgorithm, mode string) {
	as := oidcrstest.Start(b, oidcrstest.Config{SigningAlg: alg})
	tok := as.MintAccessToken(nil, nil)
	if mode == "floor" {
		key := as.SigningKey()
		pub := key.Public()
		b.ReportAllocs()
		for b.Loop() {
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{alg})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := jws.Verify(&pub); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	st := as.AccessTokenSettings()
	st.DisableCache = mode == "uncached"
	st.CacheTTL = time.Hour
	rs, err := core.New(st)
	if err != nil {
		b.Fatal(err)
	}
	ctx, hdr := context.Background(), []string{"Bearer " + tok}
	if _, err := rs.Authenticate(ctx, hdr); err != nil { // fetch the keys before the timer
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rs.Authenticate(ctx, hdr); err != nil {
			b.Fatal(err)
		}
	}
	if as.JWKSCalls() != 1 || as.IntrospectionCalls() != 0 {
		b.Fatalf("%d JWKS fetches and %d introspections, want 1 and 0", as.JWKSCalls(), as.IntrospectionCalls())
	}
}

func BenchmarkAccessTokenFloor_RS256(b *testing.B)    { benchAccessToken(b, jose.RS256, "floor") }
func BenchmarkAccessTokenUncached_RS256(b *testing.B) { benchAccessToken(b, jose.RS256, "uncached") }
func BenchmarkAccessTokenCached_RS256(b *testing.B)   { benchAccessToken(b, jose.RS256, "cached") }
func BenchmarkAccessTokenFloor_ES256(b *testing.B)    { benchAccessToken(b, jose.ES256, "floor") }
func BenchmarkAccessTokenUncached_ES256(b *testing.B) { benchAccessToken(b, jose.ES256, "uncached") }
func BenchmarkAccessTokenCached_ES256(b *testing.B)   { benchAccessToken(b, jose.ES256, "cached") }
