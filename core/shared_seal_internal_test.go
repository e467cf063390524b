package core

import (
	"bytes"
	"strconv"
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
	fp := fingerprint{1, 2, 3}
	ka, kb := mustKeys(t, testSecretA), mustKeys(t, testSecretB)
	key := ka.storeKey(&fp, "token-1")
	aead, err := ka.valueAEAD(&fp, "token-1")
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"e":1}`)
	sealed := seal(aead, plain, key)
	if got, err := open(aead, sealed, key); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	other, _ := ka.valueAEAD(&fp, "token-2")
	otherFP := fingerprint{9}
	otherFPAEAD, _ := ka.valueAEAD(&otherFP, "token-1")
	bAEAD, _ := kb.valueAEAD(&fp, "token-1")
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	future := bytes.Clone(sealed)
	future[0] = 0x02
	for name, try := range map[string]func() ([]byte, error){
		"changed value":          func() ([]byte, error) { return open(aead, flipped, key) },
		"moved to another key":   func() ([]byte, error) { return open(aead, sealed, ka.storeKey(&fp, "token-2")) },
		"read for another token": func() ([]byte, error) { return open(other, sealed, key) },
		"another fingerprint":    func() ([]byte, error) { return open(otherFPAEAD, sealed, key) },
		"another secret":         func() ([]byte, error) { return open(bAEAD, sealed, key) },
		"another format version": func() ([]byte, error) { return open(aead, future, key) },
		"truncated":              func() ([]byte, error) { return open(aead, sealed[:10], key) },
		"empty":                  func() ([]byte, error) { return open(aead, nil, key) },
	} {
		if got, err := try(); err == nil {
			t.Errorf("%s: opened to %q", name, got)
		}
	}
}

func TestStoreKeysRevealNothing(t *testing.T) {
	fp := fingerprint{7}
	ka, kb := mustKeys(t, testSecretA), mustKeys(t, testSecretB)
	tok := "eyJhbGciOiJSUzI1NiJ9.payload.signature"
	a := ka.storeKey(&fp, tok)
	if a != ka.storeKey(&fp, tok) {
		t.Fatal("the key is not stable")
	}
	if a == kb.storeKey(&fp, tok) || a == ka.storeKey(&fingerprint{8}, tok) || a == ka.storeKey(&fp, tok+"x") {
		t.Fatal("the key does not bind the secret, the fingerprint and the token")
	}
	if !strings.HasPrefix(a, sharedPrefix+"{") || !strings.HasSuffix(a, "}") || strings.Contains(a, "payload") {
		t.Fatalf("key %q", a)
	}
}

func TestInvalidationMessages(t *testing.T) {
	ka, kb := mustKeys(t, testSecretA), mustKeys(t, testSecretB)
	var dropped []cacheKey
	sc := &sharedCache{keys: []sealKeys{kb, ka}, local: removals(func(k cacheKey) { dropped = append(dropped, k) })}
	key := cacheKey{42}
	sc.onInvalidate(seal(ka.inval, key[:], invalChannel)) // the old secret still reads
	sc.onInvalidate(seal(mustKeys(t, "another-secret-of-32-bytes-at-least!").inval, key[:], invalChannel))
	sc.onInvalidate([]byte("forged"))
	sc.onInvalidate(seal(ka.inval, []byte("short"), invalChannel))
	if len(dropped) != 1 || dropped[0] != key {
		t.Fatalf("dropped %v", dropped)
	}
}

// removals is a first-level cache that only records its removals.
type removals func(cacheKey)

func (removals) get(cacheKey, time.Time) (cacheEntry, bool) { return cacheEntry{}, false }
func (removals) set(cacheKey, cacheEntry, time.Time)        {}
func (r removals) remove(k cacheKey)                        { r(k) }

func TestVerdictEncoding(t *testing.T) {
	now := time.Now()
	c := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"groups"}, AudienceClaim: "client_id"})
	claims, _ := decodeObject([]byte(`{"active":true,"iss":"https://as.example","scope":"groups","client_id":"sp","sub":"u","exp":` +
		strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))
	ti, err := c.check(claims, now)
	if err != nil {
		t.Fatal(err)
	}
	good, ok := encodeVerdict(cacheEntry{info: ti, expires: now.Add(time.Minute)})
	if !ok {
		t.Fatal("a good verdict is shared")
	}
	e, ok := decodeVerdict(good, c, now)
	if !ok || e.info == nil || e.info.Subject != "u" || e.info.OriginAudience() != "sp" {
		t.Fatalf("decoded %+v %v", e, ok)
	}
	if _, ok := decodeVerdict(good, c, now.Add(2*time.Minute)); ok {
		t.Fatal("an expired value is used")
	}
	strict := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"admin"}, AudienceClaim: "client_id"})
	if _, ok := decodeVerdict(good, strict, now); ok {
		t.Fatal("a reader with other scopes accepts the value: its checks do not run")
	}
	bad, ok := encodeVerdict(cacheEntry{err: &authError{kind: ErrInvalidToken, desc: descInactive}, expires: now.Add(time.Second)})
	if !ok {
		t.Fatal("a rejection is shared")
	}
	if e, ok := decodeVerdict(bad, c, now); !ok || e.err == nil || e.err.kind != ErrInvalidToken || e.err.desc != descInactive {
		t.Fatalf("decoded %+v", e)
	}
	if _, ok := encodeVerdict(cacheEntry{err: &authError{kind: ErrUnavailable, desc: descFetchFailed}}); ok {
		t.Fatal("a failure is shared")
	}
	if !strings.Contains(string(good), "\"sub\":\"u\"") {
		t.Fatal("the plaintext holds the claims (sealed before it is stored)")
	}
}

// BenchmarkSharedOpen is the CPU part of a second-level hit: derive the
// value key, open the sealed value and run the claim checks again.
func BenchmarkSharedOpen(b *testing.B) {
	now := time.Now()
	fp := fingerprint{5}
	k, err := deriveSealKeys(testSecretA)
	if err != nil {
		b.Fatal(err)
	}
	c := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"groups"}, AudienceClaim: "client_id"})
	claims, _ := decodeObject([]byte(`{"active":true,"iss":"https://as.example","scope":"groups openid","client_id":"sp-client",` +
		`"sub":"user-1","username":"alice","token_type":"Bearer","iat":` + strconv.FormatInt(now.Unix(), 10) + `,"exp":` + strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))
	ti, err := c.check(claims, now)
	if err != nil {
		b.Fatal(err)
	}
	plain, _ := encodeVerdict(cacheEntry{info: ti, expires: now.Add(time.Minute)})
	const tok = "kVq3u6n0-Xq_7Jc2mTz9pLr4wYb8sDe1fGh5iKj3lMn"
	key := k.storeKey(&fp, tok)
	aead, _ := k.valueAEAD(&fp, tok)
	sealed := seal(aead, plain, key)
	b.ReportAllocs()
	for b.Loop() {
		aead, err := k.valueAEAD(&fp, tok)
		if err != nil {
			b.Fatal(err)
		}
		p, err := open(aead, sealed, key)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := decodeVerdict(p, c, now); !ok {
			b.Fatal("does not decode")
		}
	}
}
