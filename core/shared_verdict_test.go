package core

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerdictEncoding(t *testing.T) {
	now := time.Now()
	c := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"groups"}, AudienceClaim: "client_id"})
	claims, _ := decodeObject([]byte(`{"active":true,"iss":"https://as.example","scope":"groups","client_id":"sp","sub":"u","exp":` +
		strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))
	ti, err := c.check(claims, now)
	if err != nil {
		t.Fatal(err)
	}
	good, ok := encodeVerdict(cacheEntry{Val: cached{info: ti}, Expires: now.Add(time.Minute)})
	if !ok {
		t.Fatal("a good verdict is shared")
	}
	e, ok := decodeVerdict(good, c, now)
	if !ok || e.Val.info == nil || e.Val.info.Subject != "u" || e.Val.info.OriginAudience() != "sp" {
		t.Fatalf("decoded %+v %v", e, ok)
	}
	if _, ok := decodeVerdict(good, c, now.Add(2*time.Minute)); ok {
		t.Fatal("an expired value is used")
	}
	strict := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"admin"}, AudienceClaim: "client_id"})
	if _, ok := decodeVerdict(good, strict, now); ok {
		t.Fatal("a reader with other scopes accepts the value: its checks do not run")
	}
	bad, ok := encodeVerdict(cacheEntry{Val: cached{err: &authError{kind: ErrInvalidToken, desc: descInactive}}, Expires: now.Add(time.Second)})
	if !ok {
		t.Fatal("a rejection is shared")
	}
	if e, ok := decodeVerdict(bad, c, now); !ok || e.Val.err == nil || e.Val.err.kind != ErrInvalidToken || e.Val.err.desc != descInactive {
		t.Fatalf("decoded %+v", e)
	}
	if _, ok := encodeVerdict(cacheEntry{Val: cached{err: &authError{kind: ErrUnavailable, desc: descFetchFailed}}}); ok {
		t.Fatal("a failure is shared")
	}
	if !strings.Contains(string(good), "\"sub\":\"u\"") {
		t.Fatal("the plaintext holds the claims (sealed before it is stored)")
	}
}

// TestVerdictEncodingScp: scopes read from scp survive the shared cache,
// and the value holds the answer as sent, with no scope claim made up.
func TestVerdictEncodingScp(t *testing.T) {
	now := time.Now()
	c := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"groups"}, AudienceClaim: "client_id"})
	claims, _ := decodeObject([]byte(`{"active":true,"iss":"https://as.example","scp":["openid","groups"],"client_id":"sp","exp":` +
		strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))
	ti, err := c.check(claims, now)
	if err != nil {
		t.Fatal(err)
	}
	good, ok := encodeVerdict(cacheEntry{Val: cached{info: ti}, Expires: now.Add(time.Minute)})
	if !ok {
		t.Fatal("a good verdict is shared")
	}
	if strings.Contains(string(good), `"scope"`) || !strings.Contains(string(good), `"scp":["openid","groups"]`) {
		t.Fatalf("the value is not the answer as sent: %s", good)
	}
	e, ok := decodeVerdict(good, c, now)
	if !ok || e.Val.info == nil || strings.Join(e.Val.info.Scopes, " ") != "openid groups" {
		t.Fatalf("decoded %+v %v", e, ok)
	}
}

// BenchmarkSharedDecode is the verdict's part of a second-level hit: read
// the opened value and run the claim checks again (internal/sharedcache's
// BenchmarkOpen is the sealing's part).
func BenchmarkSharedDecode(b *testing.B) {
	now := time.Now()
	c := newClaimChecker(Settings{Issuer: "https://as.example", Scopes: []string{"groups"}, AudienceClaim: "client_id"})
	claims, _ := decodeObject([]byte(`{"active":true,"iss":"https://as.example","scope":"groups openid","client_id":"sp-client",` +
		`"sub":"user-1","username":"alice","token_type":"Bearer","iat":` + strconv.FormatInt(now.Unix(), 10) + `,"exp":` + strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))
	ti, err := c.check(claims, now)
	if err != nil {
		b.Fatal(err)
	}
	plain, _ := encodeVerdict(cacheEntry{Val: cached{info: ti}, Expires: now.Add(time.Minute)})
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decodeVerdict(plain, c, now); !ok {
			b.Fatal("does not decode")
		}
	}
}
