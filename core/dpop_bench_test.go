package core_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core"
)

// BenchmarkDPoPCachedHit is the cost of a DPoP request on a cached token
// (the proof checked, the verdict from the cache, the binding compared)
// against its floor: a cached Bearer hit on the same server plus the bare
// go-jose ES256 check of one proof-sized JWS (parse, then verify with its
// key). The three alternate, request by request, so that each sees the
// machine at the same moment. It reports each side's time per request and
// dpop/floor, the DPoP time over the sum of the other two (target <= 1.2).
// Every DPoP request needs a fresh proof (the replay cache refuses a jti
// seen before): b.N of them are signed before the timer starts.
func BenchmarkDPoPCachedHit(b *testing.B) {
	as, rs := startPerf(b, perfSetup{edit: func(s *core.Settings) { s.CacheTTL, s.ExternalURL = time.Hour, dpopExternal }})
	c := newDPoPClient(b)
	bound := as.Mint(map[string]any{"cnf": map[string]any{"jkt": c.jkt}})
	as.SetAnswer(benchOpaqueToken, benchAnswer(as))
	ctx := context.Background()
	bearer := core.Request{Authorization: []string{"Bearer " + benchOpaqueToken}}
	dpop := core.Request{Method: http.MethodGet, Path: dpopPath, Authorization: []string{"DPoP " + bound}}

	proofs := make([]string, b.N+1)
	for i := range proofs {
		proofs[i] = c.get(b, bound)
	}
	// Fill the cache with both tokens.
	for _, req := range []core.Request{bearer, withProof(dpop, proofs[b.N])} {
		if _, err := rs.AuthenticateRequest(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	floor := proofs[b.N]
	var key jose.JSONWebKey
	if jws, err := jose.ParseSignedCompact(floor, []jose.SignatureAlgorithm{jose.ES256}); err != nil {
		b.Fatal(err)
	} else {
		key = *jws.Signatures[0].Protected.JSONWebKey
	}

	var tDPoP, tHit, tSig time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for j := range 3 {
			t0 := time.Now()
			switch (i + j) % 3 {
			case 0:
				if _, err := rs.AuthenticateRequest(ctx, withProof(dpop, proofs[i])); err != nil {
					b.Fatal(err)
				}
				tDPoP += time.Since(t0)
			case 1:
				if _, err := rs.AuthenticateRequest(ctx, bearer); err != nil {
					b.Fatal(err)
				}
				tHit += time.Since(t0)
			default:
				jws, err := jose.ParseSignedCompact(floor, []jose.SignatureAlgorithm{jose.ES256})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := jws.Verify(key.Key); err != nil {
					b.Fatal(err)
				}
				tSig += time.Since(t0)
			}
		}
	}
	b.StopTimer()
	if n := as.IntrospectionCalls(); n != 2 {
		b.Fatalf("not cache hits: %d introspections", n)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tDPoP.Nanoseconds())/n, "dpop-ns/req")
	b.ReportMetric(float64(tHit.Nanoseconds())/n, "hit-ns/req")
	b.ReportMetric(float64(tSig.Nanoseconds())/n, "es256-ns/req")
	b.ReportMetric(float64(tDPoP)/float64(tHit+tSig), "dpop/floor")
}

// withProof is req carrying proof in its DPoP header.
func withProof(req core.Request, proof string) core.Request {
	req.DPoP = []string{proof}
	return req
}
