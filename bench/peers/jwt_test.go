package peers_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2/jwks"
	"github.com/auth0/go-jwt-middleware/v2/validator"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Local JWT access-token validation: oidcrs (RFC 9068, against its cached
// JWKS) and auth0/go-jwt-middleware v2's validator (its caching JWKS
// provider, fed by the same fake authorization server's discovery), on
// the same token, as each library's documentation sets it up.
//
//	LocalJWT_<alg>/oidcrs_uncached   oidcrs with its verdict cache off: every request verifies
//	LocalJWT_<alg>/oidcrs_repeated   oidcrs on a repeated token: a verdict-cache hit
//	LocalJWT_<alg>/auth0             auth0's validator (it has no verdict cache: every request verifies)

func benchLocalJWT(b *testing.B, alg jose.SignatureAlgorithm) {
	as := oidcrstest.Start(b, oidcrstest.Config{SigningAlg: alg})
	tok := as.MintAccessToken(nil, nil)
	ctx := context.Background()
	oidcrs := func(cache bool) func(*testing.B) {
		return func(b *testing.B) {
			st := as.AccessTokenSettings()
			st.DisableCache, st.CacheTTL = !cache, time.Hour
			rs, err := core.New(st)
			if err != nil {
				b.Fatal(err)
			}
			defer rs.Close()
			hdr := []string{"Bearer " + tok}
			if _, err := rs.Authenticate(ctx, hdr); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rs.Authenticate(ctx, hdr); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("oidcrs_uncached", oidcrs(false))
	b.Run("oidcrs_repeated", oidcrs(true))
	b.Run("auth0", func(b *testing.B) {
		issuer, err := url.Parse(as.URL)
		if err != nil {
			b.Fatal(err)
		}
		provider := jwtmiddleware.NewCachingProvider(issuer, 5*time.Minute)
		v, err := validator.New(provider.KeyFunc, validator.SignatureAlgorithm(alg), as.URL, []string{as.Resource()},
			validator.WithAllowedClockSkew(0))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := v.ValidateToken(ctx, tok); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.ValidateToken(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkLocalJWT_RS256(b *testing.B) { benchLocalJWT(b, jose.RS256) }
func BenchmarkLocalJWT_ES256(b *testing.B) { benchLocalJWT(b, jose.ES256) }
