package core_test

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func TestKeyOfIsSHA256WithoutAllocation(t *testing.T) {
	// Under the zero fingerprint the key is the token's plain SHA-256.
	for _, tok := range []string{"", "a", benchOpaqueToken, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"} {
		assert.Equal(t, core.CacheKey(sha256.Sum256([]byte(tok))), core.KeyOf(tok), "token %q", tok)
	}
	assert.NotEqual(t, core.KeyOf("token-a"), core.KeyOf("token-b"))
	var sink core.CacheKey
	allocs := testing.AllocsPerRun(100, func() { sink = core.KeyOf(benchOpaqueToken) })
	assert.Zero(t, allocs)
	assert.NotZero(t, sink)
}

func TestMemoryCacheGet(t *testing.T) {
	now := time.Now()
	info := &core.TokenInfo{Subject: "user-1"}
	denied := core.NewError(core.ErrInvalidToken, core.DescInactive, "", "", nil)
	c := core.NewMemoryCache(10)
	c.Set(core.KeyOf("live"), core.CacheEntry{Info: info, Expires: now.Add(time.Minute)}, now)
	c.Set(core.KeyOf("denied"), core.CacheEntry{Err: denied, Expires: now.Add(time.Minute)}, now)
	for _, tc := range []struct {
		name string
		key  string
		at   time.Time
		hit  bool
	}{
		{name: "live entry", key: "live", at: now, hit: true},
		{name: "just before expiry", key: "live", at: now.Add(time.Minute - time.Nanosecond), hit: true},
		{name: "at expiry", key: "live", at: now.Add(time.Minute), hit: false},
		{name: "after expiry", key: "live", at: now.Add(time.Hour), hit: false},
		{name: "rejection", key: "denied", at: now, hit: true},
		{name: "unknown", key: "other", at: now, hit: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := c.Get(core.KeyOf(tc.key), tc.at)
			require.Equal(t, tc.hit, ok)
			if !tc.hit {
				assert.Equal(t, core.CacheEntry{}, e)
				return
			}
			assert.True(t, tc.at.Before(e.Expires))
			if tc.key == "live" {
				assert.Same(t, info, e.Info)
				assert.Nil(t, e.Err)
			} else {
				assert.Same(t, denied, e.Err)
				assert.Nil(t, e.Info)
			}
		})
	}
}

func TestMemoryCacheIsBounded(t *testing.T) {
	exp := time.Now().Add(time.Hour)
	for _, size := range []int{1, 3, 10, 64, 100, 1000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c := core.NewMemoryCache(size)
			for i := range 5 * size {
				k := core.KeyOf(fmt.Sprintf("token-%d", i))
				c.Set(k, core.CacheEntry{Info: &core.TokenInfo{}, Expires: exp}, time.Now())
				_, ok := c.Get(k, time.Now())
				require.True(t, ok, "the entry just set is kept")
				require.LessOrEqual(t, c.Len(), size)
			}
			assert.GreaterOrEqual(t, c.Len(), size*3/4, "a full cache stays nearly full")
		})
	}
}

func TestMemoryCacheEvictsExpiredEntriesFirst(t *testing.T) {
	c := core.NewMemoryCache(1000)
	past := time.Now().Add(-time.Second)
	for i := range 1000 {
		c.Set(core.KeyOf(fmt.Sprintf("old-%d", i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: past}, time.Now())
	}
	exp := time.Now().Add(time.Hour)
	for i := range 300 {
		c.Set(core.KeyOf(fmt.Sprintf("new-%d", i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: exp}, time.Now())
	}
	for i := range 300 {
		_, ok := c.Get(core.KeyOf(fmt.Sprintf("new-%d", i)), time.Now())
		require.True(t, ok, "live entry %d was evicted while expired ones remained", i)
	}
	assert.LessOrEqual(t, c.Len(), 1000)
}

func TestMemoryCacheConcurrentUse(t *testing.T) {
	c := core.NewMemoryCache(500)
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	var hits atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := core.KeyOf(fmt.Sprintf("token-%d", (g*31+i)%700))
				if _, ok := c.Get(k, time.Now()); ok {
					hits.Add(1)
				} else {
					c.Set(k, core.CacheEntry{Info: &core.TokenInfo{}, Expires: exp}, time.Now())
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), 500)
	assert.Positive(t, hits.Load())
}

func TestCacheTTLIsTheSoonerOfExpAndCacheTTL(t *testing.T) {
	for _, tc := range []struct {
		name   string
		exp    time.Duration // from now; 0 for no exp claim
		reused time.Duration // still a hit at this age
		asked  time.Duration // introspected again at this age
		status int           // answer to the request that asks again
	}{
		{name: "exp after CacheTTL", exp: time.Hour, reused: 59 * time.Second, asked: 61 * time.Second, status: http.StatusNoContent},
		{name: "exp before CacheTTL", exp: 30 * time.Second, reused: 28 * time.Second, asked: 31 * time.Second, status: http.StatusUnauthorized},
		{name: "no exp", reused: 59 * time.Second, asked: 61 * time.Second, status: http.StatusNoContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newPerfClock()
			as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithClock(clock.Now)},
				edit: func(s *core.Settings) { s.CacheTTL = time.Minute }})
			h := rs.Middleware()(perfOK)
			exp := any(nil)
			if tc.exp != 0 {
				exp = clock.Now().Add(tc.exp).Unix()
			}
			tok := as.Mint(map[string]any{"exp": exp})
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))

			clock.Advance(tc.reused)
			require.Equal(t, http.StatusNoContent, perfGet(h, tok))
			require.EqualValues(t, 1, as.IntrospectionCalls(), "reused at %v", tc.reused)

			clock.Advance(tc.asked - tc.reused)
			assert.Equal(t, tc.status, perfGet(h, tok))
			assert.EqualValues(t, 2, as.IntrospectionCalls(), "asked again at %v", tc.asked)
		})
	}
}

// recordingCache is a Cache that records its calls and can plant an entry.
type recordingCache struct {
	mem        *core.MemoryCache
	gets, sets atomic.Int64
	mu         sync.Mutex
	keys       []core.CacheKey
	planted    *core.CacheEntry // returned by every Get when set
}

func (c *recordingCache) Get(key core.CacheKey, now time.Time) (core.CacheEntry, bool) {
	c.gets.Add(1)
	if c.planted != nil {
		return *c.planted, true
	}
	return c.mem.Get(key, now)
}

func (c *recordingCache) Set(key core.CacheKey, e core.CacheEntry, now time.Time) {
	c.sets.Add(1)
	c.mu.Lock()
	c.keys = append(c.keys, key)
	c.mu.Unlock()
	c.mem.Set(key, e, now)
}

func TestCustomCacheSeesHashedKeys(t *testing.T) {
	cache := &recordingCache{mem: core.NewMemoryCache(10)}
	as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithCache(cache)}})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	for range 5 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok))
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
	assert.EqualValues(t, 5, cache.gets.Load())
	assert.EqualValues(t, 1, cache.sets.Load())
	require.Len(t, cache.keys, 1)
	assert.Equal(t, core.KeyFor(rs, tok), cache.keys[0], "the key is the token's SHA-256 bound to the fingerprint")
	assert.NotEqual(t, core.CacheKey(sha256.Sum256([]byte(tok))), cache.keys[0], "the key is not the bare SHA-256")
	e, ok := cache.mem.Get(cache.keys[0], time.Now())
	require.True(t, ok)
	assert.Equal(t, oidcrstest.DefaultSubject, e.Info.Subject)
}

func TestCachedTokenStillNeedsTheRouteScope(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	admin := rs.Middleware()(rs.RequireScopes(core.AnyScope("admin"))(perfOK))
	groups := rs.Middleware()(rs.RequireScopes(core.AnyScope(oidcrstest.DefaultScope))(perfOK))
	tok := as.Mint(nil) // scope "groups" only
	for i := range 3 {
		w := perfServe(admin, tok)
		require.Equal(t, http.StatusForbidden, w.Code, "request %d", i)
		assert.Contains(t, w.Header().Get("WWW-Authenticate"), `error="insufficient_scope"`)
	}
	require.Equal(t, http.StatusNoContent, perfGet(groups, tok))
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "every request after the first was a cache hit")
}

func TestStaleEntriesFromACacheAreNotTrusted(t *testing.T) {
	now := time.Now()
	planted := &core.TokenInfo{Subject: "planted", Scopes: []string{oidcrstest.DefaultScope}}
	expired := &core.TokenInfo{Subject: "planted", Scopes: []string{oidcrstest.DefaultScope}, ExpiresAt: now.Add(-time.Second)}
	for _, tc := range []struct {
		name   string
		entry  core.CacheEntry
		status int
		calls  int64
	}{
		{name: "live entry is used", entry: core.CacheEntry{Info: planted, Expires: now.Add(time.Hour)}, status: http.StatusNoContent, calls: 0},
		{name: "entry past its Expires", entry: core.CacheEntry{Info: planted, Expires: now.Add(-time.Second)}, status: http.StatusUnauthorized, calls: 1},
		{name: "token past its exp", entry: core.CacheEntry{Info: expired, Expires: now.Add(time.Hour)}, status: http.StatusUnauthorized, calls: 1},
		{name: "empty entry", entry: core.CacheEntry{Expires: now.Add(time.Hour)}, status: http.StatusUnauthorized, calls: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := &recordingCache{mem: core.NewMemoryCache(10), planted: &tc.entry}
			as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithCache(cache)}})
			// The authorization server does not know the token: it is
			// inactive unless the planted entry is (rightly) used.
			assert.Equal(t, tc.status, perfGet(rs.Middleware()(perfOK), "not-known-upstream"))
			assert.Equal(t, tc.calls, as.IntrospectionCalls())
		})
	}
}

// TestMemoryCacheEvictsByTheGivenClock: set uses the ResourceServer's
// clock (WithClock), not the wall clock, to find expired entries.
func TestMemoryCacheEvictsByTheGivenClock(t *testing.T) {
	t.Parallel()
	c := core.NewMemoryCache(1000)
	t0 := time.Now().Add(time.Hour) // the injected clock runs an hour ahead
	for i := range 1000 {
		c.Set(core.KeyOf("old-"+string(rune('a'+i%26))+strconv.Itoa(i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: t0.Add(time.Second)}, t0)
	}
	later := t0.Add(time.Minute) // the old entries have expired by the injected clock, not by the wall clock
	for i := range 300 {
		c.Set(core.KeyOf("new-"+strconv.Itoa(i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: later.Add(time.Hour)}, later)
	}
	for i := range 300 {
		_, ok := c.Get(core.KeyOf("new-"+strconv.Itoa(i)), later)
		require.True(t, ok, "live entry %d was evicted while expired ones remained", i)
	}
}
