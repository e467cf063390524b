package core_test

import (
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
)

// The memory cache's gets take no lock while sets and removes change the
// tables under them. These tests run them all at once (and under -race in
// CI): a get returns its own key's entry or nothing, never an entry older
// than the last set that returned, never one whose remove returned; the
// bound holds throughout.

// TestMemoryCacheConcurrentOwnKeys: each goroutine owns its keys, so it
// knows what a get may return: the version it set last, or a miss when
// another goroutine's set evicted it, and a miss after its remove. Small
// caches, so that tables are rebuilt and entries evicted all the time.
func TestMemoryCacheConcurrentOwnKeys(t *testing.T) {
	t.Parallel()
	for _, size := range []int{16, 1000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			t.Parallel()
			const workers, keysEach, rounds = 8, 64, 4000
			c := core.NewMemoryCache(size)
			base := time.Now().Add(time.Hour)
			var wg sync.WaitGroup
			for g := range workers {
				wg.Go(func() {
					keys := make([]core.CacheKey, keysEach)
					infos := make([]*core.TokenInfo, keysEach)
					for i := range keys {
						keys[i] = core.KeyOf("own-" + strconv.Itoa(g) + "-" + strconv.Itoa(i))
						infos[i] = &core.TokenInfo{Subject: strconv.Itoa(g*keysEach + i)}
					}
					for r := range rounds {
						i := r % keysEach
						// The version is the entry's expiry: base + r ns.
						c.Set(keys[i], core.CacheEntry{Info: infos[i], Expires: base.Add(time.Duration(r))}, time.Now())
						if e, ok := c.Get(keys[i], time.Now()); ok {
							if e.Info != infos[i] || !e.Expires.Equal(base.Add(time.Duration(r))) {
								t.Errorf("key %d of %d: got subject %q expiring %v, want %q at +%dns",
									i, g, e.Info.Subject, e.Expires.Sub(base), infos[i].Subject, r)
								return
							}
						}
						if r%3 == 0 {
							c.Remove(keys[i])
							if _, ok := c.Get(keys[i], time.Now()); ok {
								t.Errorf("key %d of %d: found after its remove returned", i, g)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			assert.LessOrEqual(t, c.Len(), size)
			assert.Equal(t, c.Len(), c.Entries())
		})
	}
}

// TestMemoryCacheConcurrentSharedKeys: goroutines set, get and remove the
// same keys; every entry names its key, and a get must return its own
// key's entry. A watcher checks the bound meanwhile.
func TestMemoryCacheConcurrentSharedKeys(t *testing.T) {
	t.Parallel()
	const size, nkeys, workers, rounds = 200, 600, 8, 5000
	c := core.NewMemoryCache(size)
	keys := make([]core.CacheKey, nkeys)
	infos := make([]*core.TokenInfo, nkeys)
	for i := range keys {
		keys[i] = core.KeyOf("shared-" + strconv.Itoa(i))
		infos[i] = &core.TokenInfo{Subject: strconv.Itoa(i)}
	}
	exp := time.Now().Add(time.Hour)
	var done atomic.Bool
	var over atomic.Int64
	watcher := make(chan struct{})
	go func() {
		defer close(watcher)
		for !done.Load() {
			if n := c.Len(); n > size {
				over.Store(int64(n))
			}
		}
	}()
	var hits atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for r := range rounds {
				i := (g*7919 + r*31) % nkeys
				switch e, ok := c.Get(keys[i], time.Now()); {
				case ok && e.Info != infos[i]:
					t.Errorf("key %d: got the entry of key %s", i, e.Info.Subject)
					return
				case ok:
					hits.Add(1)
				case r%5 == 0:
					c.Remove(keys[(i+1)%nkeys])
				default:
					c.Set(keys[i], core.CacheEntry{Info: infos[i], Expires: exp}, time.Now())
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	<-watcher
	assert.Zero(t, over.Load(), "the count went past the bound")
	assert.Positive(t, hits.Load())
	require.LessOrEqual(t, c.Len(), size)
	assert.Equal(t, c.Len(), c.Entries(), "at rest the count is the tables' size")
	n := 0
	for i := range keys {
		if e, ok := c.Get(keys[i], time.Now()); ok {
			require.Same(t, infos[i], e.Info)
			n++
		}
	}
	assert.Equal(t, c.Len(), n, "every counted entry is found")
}

// TestMemoryCacheConcurrentBoundIsExact: distinct tokens from every
// goroutine into a cache with expired entries and live ones: the count
// never passes the bound, and at rest the tables hold exactly the count.
func TestMemoryCacheConcurrentBoundIsExact(t *testing.T) {
	t.Parallel()
	const size, workers, each = 500, 8, 3000
	c := core.NewMemoryCache(size)
	now := time.Now()
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := range each {
				exp := now.Add(time.Hour)
				if i%4 == 0 {
					exp = now.Add(time.Millisecond) // expired for the later sets
				}
				at := now.Add(time.Duration(i) * time.Microsecond)
				c.Set(core.KeyOf("bound-"+strconv.Itoa(g)+"-"+strconv.Itoa(i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: exp}, at)
				if n := c.Len(); n > size {
					t.Errorf("%d entries in a cache of %d", n, size)
					return
				}
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), size)
	assert.Greater(t, c.Len(), size/2, "a full cache stays nearly full")
	assert.Equal(t, c.Len(), c.Entries(), "at rest the count is the tables' size")
}
