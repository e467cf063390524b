package suite_test

import (
	"context"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// BenchmarkNodeIntrospectionJSON is one RFC 7662 introspection, the cache
// off, against node oidc-provider on loopback: a real authorization server
// in its own process, the baseline of the shared cache's second-level hit
// (cache/redis BenchmarkL2Hit).
func BenchmarkNodeIntrospectionJSON(b *testing.B) {
	rs := jsonClient("bench-rs")
	as := asproc.StartT(b, asConfig(rs))
	srv := newRSB(b, rs.env(as, map[string]string{"OIDC_RS_CACHE_TTL": "0"}))
	ctx := context.Background()
	tok, err := as.MintToken(ctx, "bench-user", spID, "groups", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	hdr := []string{"Bearer " + tok}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := srv.Authenticate(ctx, hdr); err != nil {
			b.Fatal(err)
		}
	}
}

// newRSB is newRS for a benchmark.
func newRSB(b *testing.B, env map[string]string) *core.ResourceServer {
	b.Helper()
	s, err := core.SettingsFromEnv(func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	if err != nil {
		b.Fatal(err)
	}
	rs, err := core.New(s)
	if err != nil {
		b.Fatal(err)
	}
	return rs
}
