package core_test

import (
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// BenchmarkCachedAuthenticateKey is BenchmarkCachedAuthenticate, the
// framework-neutral part of a cache hit, under each first-level key: the
// 43-byte opaque token keyed with AES-CMAC (no shared cache) and with
// SHA-256 XOR the fingerprint (a shared cache, never asked on a hit).
// Compare the two rows of one run: the machine's load moves both.
func BenchmarkCachedAuthenticateKey(b *testing.B) {
	for _, key := range []struct {
		name string
		opts []core.Option
	}{{"cmac", nil}, {"sha256", []core.Option{core.WithSharedCache(newMemStore())}}} {
		b.Run(key.name, func(b *testing.B) {
			benchCachedHit(b, perfSetup{opts: key.opts, edit: func(s *core.Settings) {
				s.CacheTTL, s.CacheSecrets = time.Hour, []string{btCacheSecret}
			}})
		})
	}
}
