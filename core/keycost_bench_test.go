package core_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/internal/cmac"
)

// BenchmarkKeyCost measures what the cache key costs on a hit, for an
// opaque token (43 bytes) and a JWT-shaped one (1 KiB): the keys core uses
// (SHA-256 XOR the settings fingerprint with a shared cache; without one,
// AES-CMAC under a random key up to CMACMaxLen bytes, SHA-256 past it),
// SHA-256 alone, AES-CMAC whatever the length, and, for the
// record, an AES-GCM tag over the token under a secret key, the cheapest
// keyed alternative in the standard library (docs/performance.md says why
// it is not used).
func BenchmarkKeyCost(b *testing.B) {
	block, err := aes.NewCipher(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		b.Fatal(err)
	}
	nonce := make([]byte, gcm.NonceSize())
	shared, own := core.NewKeyer(true), core.NewKeyer(false)
	mac, err := cmac.New(make([]byte, 16))
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []struct {
		name  string
		token string
	}{{"43B", benchOpaqueToken[:43]}, {"1KiB", strings.Repeat("a", 1024)}} {
		raw := []byte(size.token)
		b.Run(size.name+"/core-shared", func(b *testing.B) {
			for b.Loop() {
				keySink = shared.Key(size.token)
			}
		})
		b.Run(size.name+"/core-own", func(b *testing.B) {
			for b.Loop() {
				keySink = own.Key(size.token)
			}
		})
		b.Run(size.name+"/aes-cmac", func(b *testing.B) {
			var tag [16]byte
			for b.Loop() {
				tag = mac.Sum(raw)
			}
			keySink[0] = tag[0]
		})
		b.Run(size.name+"/sha256", func(b *testing.B) {
			for b.Loop() {
				keySink = sha256.Sum256(raw)
			}
		})
		b.Run(size.name+"/aes-gcm-tag", func(b *testing.B) {
			var tag [16]byte
			for b.Loop() {
				gcm.Seal(tag[:0], nonce, nil, raw)
			}
			keySink[0] = tag[0]
		})
	}
}

var keySink [32]byte
