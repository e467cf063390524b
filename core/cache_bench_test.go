package core_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// BenchmarkCacheMemoryPerEntry fills a MemoryCache with 100,000 verified
// answers, built by the claim checks, and reports the live heap per entry
// after GC: B/entry in all, cacheB/entry for the cache's own share (key,
// entry, table), infoB/entry for the TokenInfos. Three answer sizes: 5
// claims, 12 claims (the issue's, about 430 bytes of JSON), and 12 claims
// with a 40-entry groups list. Each has its baseline in the same run,
// "map": the same answers kept as before issue 15, a TokenInfo of 12
// fields beside the decoded map[string]any.
func BenchmarkCacheMemoryPerEntry(b *testing.B) {
	for _, size := range []struct {
		name   string
		claims int
		groups int
	}{{"claims=5", 5, 0}, {"claims=12", 12, 0}, {"claims=12+groups=40", 12, 40}} {
		for _, layout := range []string{"map", "compact"} {
			b.Run(size.name+"/"+layout, func(b *testing.B) {
				benchMemory(b, len(benchRawAnswer(0, size.claims, size.groups)), func(i int) any {
					raw := benchRawAnswer(i, size.claims, size.groups)
					if layout == "map" {
						return benchMapInfo(b, raw)
					}
					return benchCompactInfo(b, raw)
				})
			})
		}
	}
}

func benchMemory(b *testing.B, jsonLen int, build func(i int) any) {
	const n = 100_000
	var total, cacheOnly float64
	for range b.N {
		infos := make([]any, n)
		m0 := benchHeap()
		for i := range infos {
			infos[i] = build(i)
		}
		m1 := benchHeap()
		c := core.NewMemoryCache(2 * n) // room to spare: nothing evicts
		exp := time.Now().Add(time.Hour)
		for i := range infos {
			ti, _ := infos[i].(*core.TokenInfo) // the map layout keeps its own struct
			c.Set(core.KeyOf(fmt.Sprintf("%s%08d", benchOpaqueToken[:35], i)), core.CacheEntry{Info: ti, Expires: exp}, time.Now())
		}
		m2 := benchHeap()
		if c.Len() != n {
			b.Fatalf("cache holds %d entries, want %d", c.Len(), n)
		}
		runtime.KeepAlive(infos)
		runtime.KeepAlive(c)
		total += float64(m2-m0) / n
		cacheOnly += float64(m2-m1) / n
	}
	b.ReportMetric(float64(jsonLen), "jsonB")
	b.ReportMetric(total/float64(b.N), "B/entry")
	b.ReportMetric(cacheOnly/float64(b.N), "cacheB/entry")
	b.ReportMetric((total-cacheOnly)/float64(b.N), "infoB/entry")
}

func benchHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// benchRawAnswer is a realistic answer of claims members (5 or 12), with a
// groups list of groups entries when groups > 0. Every answer differs.
func benchRawAnswer(i, claims, groups int) string {
	now := time.Now().Unix()
	var b strings.Builder
	fmt.Fprintf(&b, `{"active":true,"iss":%q,"client_id":"sp-client-app","sub":"5f0c2a8e-7d3b-4c1a-9e6f-%012d",`+
		`"scope":"openid groups email"`, benchIssuer, i)
	if claims > 5 {
		fmt.Fprintf(&b, `,"username":"user%06d","token_type":"Bearer","aud":"sp-client-app","iat":%d,"exp":%d,"jti":"jti-%012d"`,
			i, now, now+3600, i)
	}
	if claims > 11 {
		b.WriteString(`,"nbf":` + fmt.Sprint(now))
	}
	if groups > 0 {
		b.WriteString(`,"groups":[`)
		for g := range groups {
			if g > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"group-%02d-of-the-organisation"`, g)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.String()
}

const benchIssuer = "https://auth.example.com/realms/main"

func benchDecode(b *testing.B, raw string) map[string]any {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		b.Fatal(err)
	}
	return claims
}

// benchCompactInfo is the TokenInfo the claim checks build today.
func benchCompactInfo(b *testing.B, raw string) *core.TokenInfo {
	s := core.Settings{Issuer: benchIssuer, Scopes: []string{"groups"}}
	ti, err := core.CheckClaims(s, benchDecode(b, raw), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return ti
}

// benchMapInfo is the layout before issue 15: typed fields that share the
// decoded map's strings, and the map.
func benchMapInfo(b *testing.B, raw string) *benchOldInfo {
	claims := benchDecode(b, raw)
	str := func(k string) string { s, _ := claims[k].(string); return s }
	aud := str("client_id")
	return &benchOldInfo{Subject: str("sub"), ClientID: aud, Username: str("username"),
		TokenType: str("token_type"), Scopes: strings.Fields(str("scope")), Audience: []string{aud},
		OriginAudience: aud, Issuer: str("iss"), ExpiresAt: time.Now().Add(time.Hour), IssuedAt: time.Now(),
		Claims: claims}
}

// benchOldInfo is TokenInfo as it was before issue 15.
type benchOldInfo struct {
	Subject, ClientID, Username, TokenType string
	Scopes, Audience                       []string
	OriginAudience, Issuer                 string
	ExpiresAt, IssuedAt, NotBefore         time.Time
	Claims                                 map[string]any
}

// BenchmarkMemoryCacheSetFull stores new tokens in a full 10,000-entry
// cache of live entries: every Set must make room.
func BenchmarkMemoryCacheSetFull(b *testing.B) {
	c := core.NewMemoryCache(10_000)
	e := core.CacheEntry{Info: &core.TokenInfo{}, Expires: time.Now().Add(time.Hour)}
	keys := make([]core.CacheKey, 1<<20)
	for i := range keys {
		keys[i] = core.KeyOf(fmt.Sprint("token-", i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Set(keys[i&(len(keys)-1)], e, time.Now())
	}
	b.ReportMetric(float64(c.Len()), "entries")
}
