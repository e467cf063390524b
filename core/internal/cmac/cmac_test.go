package cmac

import (
	"bytes"
	"crypto/aes"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 4493 section 4: the subkeys and the four examples.
func TestRFC4493(t *testing.T) {
	m, err := New(unhex(t, "2b7e1516 28aed2a6 abf71588 09cf4f3c"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.k1[:], unhex(t, "fbeed618 35713366 7c85e08f 7236a8de"); !bytes.Equal(got, want) {
		t.Errorf("K1 = %x, want %x", got, want)
	}
	if got, want := m.k2[:], unhex(t, "f7ddac30 6ae266cc f90bc11e e46d513b"); !bytes.Equal(got, want) {
		t.Errorf("K2 = %x, want %x", got, want)
	}
	msg := unhex(t, "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51"+
		"30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710")
	for _, tc := range []struct {
		n   int
		tag string
	}{
		{0, "bb1d6929 e9593728 7fa37d12 9b756746"},
		{16, "070a16b4 6b4d4144 f79bdd9d d04a287c"},
		{40, "dfa66747 de9ae630 30ca3261 1497c827"},
		{64, "51f0bebf 7e3b9d92 fc497417 79363cfe"},
	} {
		if got, want := m.Sum(msg[:tc.n]), unhex(t, tc.tag); !bytes.Equal(got[:], want) {
			t.Errorf("Mlen %d: tag %x, want %x", tc.n, got, want)
		}
	}
}

// reference is SP 800-38B section 6.2 written out byte by byte, to check
// Sum on every length around the block boundaries and on keys whose
// subkeys take either branch of double.
func reference(key, msg []byte) []byte {
	block, _ := aes.NewCipher(key)
	shift := func(in []byte) []byte {
		out := make([]byte, 16)
		for i := range 16 {
			out[i] = in[i] << 1
			if i < 15 {
				out[i] |= in[i+1] >> 7
			}
		}
		if in[0]&0x80 != 0 {
			out[15] ^= 0x87
		}
		return out
	}
	l := make([]byte, 16)
	block.Encrypt(l, l)
	k1 := shift(l)
	k2 := shift(k1)
	n := (len(msg) + 15) / 16
	last := make([]byte, 16)
	if n > 0 && len(msg)%16 == 0 {
		for i := range 16 {
			last[i] = msg[(n-1)*16+i] ^ k1[i]
		}
	} else {
		if n == 0 {
			n = 1
		}
		rest := msg[(n-1)*16:]
		pad := append(append([]byte{}, rest...), 0x80)
		pad = append(pad, make([]byte, 16-len(pad))...)
		for i := range 16 {
			last[i] = pad[i] ^ k2[i]
		}
	}
	c := make([]byte, 16)
	for i := 0; i < n-1; i++ {
		for j := range 16 {
			c[j] ^= msg[i*16+j]
		}
		block.Encrypt(c, c)
	}
	for j := range 16 {
		c[j] ^= last[j]
	}
	block.Encrypt(c, c)
	return c
}

func TestSumMatchesReference(t *testing.T) {
	msg := make([]byte, 100)
	rand.Read(msg)
	for range 8 {
		key := make([]byte, 16)
		rand.Read(key)
		m, err := New(key)
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(msg) + 1 {
			if got, want := m.Sum(msg[:n]), reference(key, msg[:n]); !bytes.Equal(got[:], want) {
				t.Fatalf("key %x, Mlen %d: tag %x, want %x", key, n, got, want)
			}
		}
	}
}

func TestNewRejectsABadKeySize(t *testing.T) {
	if _, err := New(make([]byte, 15)); err == nil {
		t.Fatal("a 15-byte key was accepted")
	}
}

func TestSumDoesNotAllocate(t *testing.T) {
	m, _ := New(make([]byte, 16))
	msg := []byte(strings.Repeat("x", 43))
	var sink [Size]byte
	if n := testing.AllocsPerRun(1000, func() { sink = m.Sum(msg) }); n != 0 {
		t.Fatalf("Sum allocates %v times", n)
	}
	_ = sink
}
