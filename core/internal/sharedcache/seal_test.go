package sharedcache

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// White-box tests of the shared cache's sealing: what a reader or writer
// of the store can and cannot do without OIDC_RS_CACHE_SECRET.

const (
	testSecretA = "0123456789abcdef0123456789abcdef-A"
	testSecretB = "0123456789abcdef0123456789abcdef-B"
)

func mustKeys(t *testing.T, secret string) sealKeys {
	t.Helper()
	k, err := deriveSealKeys(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealedValueOpensOnlyWhereItWasWritten(t *testing.T) {
	fp := [32]byte{1, 2, 3}
	ka, kb := mustKeys(t, testSecretA), mustKeys(t, testSecretB)
	key := ka.storeKey(&fp, "token-1")
	aead, err := ka.valueAEAD(&fp, "token-1")
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"e":1}`)
	written := time.Unix(1700000000, 123456789)
	sealed := sealTimed(aead, written, plain, key)
	if at, got, err := openTimed(aead, sealed, key); err != nil || !bytes.Equal(got, plain) || !at.Equal(written) {
		t.Fatalf("round trip: %v %q, %v", at, got, err)
	}
	other, _ := ka.valueAEAD(&fp, "token-2")
	otherFP := [32]byte{9}
	otherFPAEAD, _ := ka.valueAEAD(&otherFP, "token-1")
	bAEAD, _ := kb.valueAEAD(&fp, "token-1")
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	future := bytes.Clone(sealed)
	future[0] = valueVersion + 1
	marker := sealTimed(aead, written, nil, key+markerSuffix)
	for name, try := range map[string]func() (time.Time, []byte, error){
		"changed value":          func() (time.Time, []byte, error) { return openTimed(aead, flipped, key) },
		"moved to another key":   func() (time.Time, []byte, error) { return openTimed(aead, sealed, ka.storeKey(&fp, "token-2")) },
		"read for another token": func() (time.Time, []byte, error) { return openTimed(other, sealed, key) },
		"another fingerprint":    func() (time.Time, []byte, error) { return openTimed(otherFPAEAD, sealed, key) },
		"another secret":         func() (time.Time, []byte, error) { return openTimed(bAEAD, sealed, key) },
		"another format version": func() (time.Time, []byte, error) { return openTimed(aead, future, key) },
		"the format without time": func() (time.Time, []byte, error) {
			return openTimed(aead, seal(aead, 0x01, plain, key), key)
		},
		"too short for a time": func() (time.Time, []byte, error) {
			return openTimed(aead, seal(aead, valueVersion, []byte{1, 2, 3}, key), key)
		},
		"a marker as a value":  func() (time.Time, []byte, error) { return openTimed(aead, marker, key) },
		"a value as a marker":  func() (time.Time, []byte, error) { return openTimed(aead, sealed, key+markerSuffix) },
		"a message as a value": func() (time.Time, []byte, error) { return openTimed(aead, seal(aead, messageVersion, plain, key), key) },
		"truncated":            func() (time.Time, []byte, error) { return openTimed(aead, sealed[:10], key) },
		"empty":                func() (time.Time, []byte, error) { return openTimed(aead, nil, key) },
	} {
		if at, got, err := try(); err == nil {
			t.Errorf("%s: opened to %v %q", name, at, got)
		}
	}
}

func TestStoreKeysRevealNothing(t *testing.T) {
	fp := [32]byte{7}
	ka, kb := mustKeys(t, testSecretA), mustKeys(t, testSecretB)
	tok := "eyJhbGciOiJSUzI1NiJ9.payload.signature"
	a := ka.storeKey(&fp, tok)
	if a != ka.storeKey(&fp, tok) {
		t.Fatal("the key is not stable")
	}
	if a == kb.storeKey(&fp, tok) || a == ka.storeKey(&[32]byte{8}, tok) || a == ka.storeKey(&fp, tok+"x") {
		t.Fatal("the key does not bind the secret, the fingerprint and the token")
	}
	if !strings.HasPrefix(a, sharedPrefix+"{") || !strings.HasSuffix(a, "}") || strings.Contains(a, "payload") {
		t.Fatalf("key %q", a)
	}
}

func TestInvalidationMessages(t *testing.T) {
	ka, kb := mustKeys(t, testSecretA), mustKeys(t, testSecretB)
	var dropped [][32]byte
	c := &Cache{keys: []sealKeys{kb, ka}, cfg: Config{Drop: func(k [32]byte) { dropped = append(dropped, k) }}}
	key := [32]byte{42}
	c.onInvalidate(seal(ka.inval, messageVersion, key[:], invalChannel)) // the old secret still reads
	c.onInvalidate(seal(mustKeys(t, "another-secret-of-32-bytes-at-least!").inval, messageVersion, key[:], invalChannel))
	c.onInvalidate([]byte("forged"))
	c.onInvalidate(seal(ka.inval, messageVersion, []byte("short"), invalChannel))
	if len(dropped) != 1 || dropped[0] != key {
		t.Fatalf("dropped %v, want only %v", dropped, key)
	}
}

// BenchmarkOpen is the sealing's part of a second-level hit: derive the
// value key and open the sealed value.
func BenchmarkOpen(b *testing.B) {
	fp := [32]byte{5}
	k, err := deriveSealKeys(testSecretA)
	if err != nil {
		b.Fatal(err)
	}
	const tok = "kVq3u6n0-Xq_7Jc2mTz9pLr4wYb8sDe1fGh5iKj3lMn"
	key := k.storeKey(&fp, tok)
	aead, _ := k.valueAEAD(&fp, tok)
	sealed := sealTimed(aead, time.Now(), bytes.Repeat([]byte("x"), 300), key)
	b.ReportAllocs()
	for b.Loop() {
		aead, err := k.valueAEAD(&fp, tok)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := openTimed(aead, sealed, key); err != nil {
			b.Fatal(err)
		}
	}
}
