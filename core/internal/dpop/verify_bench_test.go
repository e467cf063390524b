package dpop

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"
)

// BenchmarkVerifyES256 is the cost of checking one ES256 proof, replay cache
// included; BenchmarkBareES256Verify is the signature check alone, its floor.
func BenchmarkVerifyES256(b *testing.B) {
	key := newECKey(b)
	h := goodHeader(b, key)
	proofs := make([]string, b.N)
	for i := range proofs {
		c := goodClaims()
		c["jti"] = strconv.Itoa(i)
		proofs[i] = signES256(b, h, c, key)
	}
	v := NewVerifier(Config{Now: func() time.Time { return testNow }, Replay: NewReplay(b.N + 1)})
	req := goodRequest()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := v.Verify(proofs[i], req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareES256Verify(b *testing.B) {
	key := newECKey(b)
	digest := sha256.Sum256([]byte("signing input"))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
			b.Fatal("no")
		}
	}
}
