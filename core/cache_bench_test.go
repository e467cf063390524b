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
// answers built as the claim checks build them, and reports the live heap
// per entry after GC: B/entry in all, cacheB/entry for the cache's own
// share (key, entry, map), infoB/entry for the TokenInfo and its claims.
func BenchmarkCacheMemoryPerEntry(b *testing.B) {
	const n = 100_000
	var total, cacheOnly float64
	for range b.N {
		infos := make([]*core.TokenInfo, n)
		m0 := benchHeap()
		for i := range infos {
			infos[i] = benchTokenInfo(b, i)
		}
		m1 := benchHeap()
		c := core.NewMemoryCache(2 * n) // room to spare: no shard evicts
		exp := time.Now().Add(time.Hour)
		for i, ti := range infos {
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

// benchTokenInfo decodes a realistic answer (numbers as json.Number) and
// fills a TokenInfo from it, sharing its strings, as the checks do.
func benchTokenInfo(b *testing.B, i int) *core.TokenInfo {
	now := time.Now().Unix()
	raw := fmt.Sprintf(`{"active":true,"iss":"https://auth.example.com/realms/main","client_id":"sp-client-app",`+
		`"sub":"5f0c2a8e-7d3b-4c1a-9e6f-%012d","username":"user%06d","scope":"openid groups email",`+
		`"token_type":"Bearer","aud":"sp-client-app","iat":%d,"exp":%d,"jti":"jti-%012d"}`, i, i, now, now+3600, i)
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		b.Fatal(err)
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	aud := str("client_id")
	return &core.TokenInfo{Subject: str("sub"), ClientID: aud, Username: str("username"),
		TokenType: str("token_type"), Scopes: strings.Fields(str("scope")), Audience: []string{aud},
		OriginAudience: aud, Issuer: str("iss"), ExpiresAt: time.Unix(now+3600, 0), IssuedAt: time.Unix(now, 0),
		Claims: claims}
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
