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

// TestCacheKeysAreFingerprintedHashes: the cache holds a token under its
// SHA-256 bound to the settings fingerprint, never under the bare hash.
func TestCacheKeysAreFingerprintedHashes(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	for range 5 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok))
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
	assert.Equal(t, 1, core.CacheLen(rs))
	assert.True(t, core.CacheHas(rs, core.KeyFor(rs, tok)), "the key is the token's SHA-256 bound to the fingerprint")
	assert.False(t, core.CacheHas(rs, core.CacheKey(sha256.Sum256([]byte(tok)))), "the key is not the bare SHA-256")
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

// TestCacheNeverOutlivesTheTokensExp: a verdict is kept until the
// token's exp at the latest, however long OIDC_RS_CACHE_TTL is: past it,
// the next request asks again and is refused.
func TestCacheNeverOutlivesTheTokensExp(t *testing.T) {
	as := btAS(t, oidcrstest.JSON)
	clock := newBTClock()
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache, s.CacheTTL, s.Leeway = false, time.Hour, 0 },
		core.WithClock(clock.Now))
	tok := as.Mint(map[string]any{"exp": clock.Now().Add(time.Minute).Unix()})
	for range 3 {
		_, err := btAuth(rs, tok)
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, as.IntrospectionCalls(), "cached before its exp")
	clock.Advance(2 * time.Minute)
	_, err := btAuth(rs, tok)
	require.ErrorIs(t, err, core.ErrInvalidToken, "past its exp")
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the entry ended at the token's exp")
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
