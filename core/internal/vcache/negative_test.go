package vcache

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// White-box tests of negative entries: their bound, and that they never
// take a live positive entry's place.

// checkCounts checks the cache's counters against its tables: entries,
// negative entries, both bounds.
func checkCounts(t *testing.T, c *testCache) {
	t.Helper()
	live, neg := 0, 0
	for i := range int(c.mask) + 1 {
		s := &c.shards[i]
		s.mu.Lock()
		sneg := 0
		if tab := s.tab.Load(); tab != nil {
			for j := range tab.slots {
				if e := tab.slots[j].Load(); e != nil && !e.tomb {
					live++
					if e.neg {
						sneg++
					}
				}
			}
		}
		require.Equal(t, s.neg, sneg, "shard %d's negative entries", i)
		neg += sneg
		s.mu.Unlock()
	}
	require.EqualValues(t, c.count.Load(), live, "entries")
	require.EqualValues(t, c.negs.Load(), neg, "negative entries")
	require.LessOrEqual(t, c.count.Load(), c.size)
	require.LessOrEqual(t, c.negs.Load(), c.negCap)
}

func entryAt(exp time.Time) Entry[val] { return Entry[val]{Val: val{a: new(int)}, Expires: exp} }

// TestNegativeFloodEvictsNoPositive: 1,000 positive entries in a cache of
// 5,000, then 20,000 distinct negative ones: every positive entry stays,
// and the negative ones hold a tenth of the cache at most.
func TestNegativeFloodEvictsNoPositive(t *testing.T) {
	c := New[val](5000)
	now := time.Now()
	exp := now.Add(time.Hour)
	for i := range 1000 {
		c.Set(testKey(i), entryAt(exp), now)
	}
	for i := range 20_000 {
		c.SetNegative(testKey(1000+i), entryAt(exp), now)
	}
	for i := range 1000 {
		_, ok := c.Get(testKey(i), now)
		require.True(t, ok, "positive entry %d was evicted by negative ones", i)
	}
	checkCounts(t, c)
	assert.EqualValues(t, 500, c.negs.Load(), "the negative share is full")
	assert.Equal(t, 1500, c.Len())
	kept := 0
	for i := range 20_000 {
		if _, ok := c.Get(testKey(1000+i), now); ok {
			kept++
		}
	}
	assert.Equal(t, 500, kept, "negative entries are found")
}

// TestNegativeNeverEvictsLivePositive: in a cache full of live positive
// entries a negative one is not stored; it takes an expired one's place.
func TestNegativeNeverEvictsLivePositive(t *testing.T) {
	c := New[val](100)
	now := time.Now()
	for i := range 100 {
		c.Set(testKey(i), entryAt(now.Add(time.Hour)), now)
	}
	for i := range 50 {
		c.SetNegative(testKey(100+i), entryAt(now.Add(time.Hour)), now)
		_, ok := c.Get(testKey(100+i), now)
		require.False(t, ok, "negative entry %d stored in a cache full of live positive ones", i)
	}
	for i := range 100 {
		_, ok := c.Get(testKey(i), now)
		require.True(t, ok, "positive entry %d was evicted", i)
	}
	checkCounts(t, c)

	later := now.Add(2 * time.Hour) // every entry has expired
	c.SetNegative(testKey(200), entryAt(later.Add(time.Hour)), later)
	_, ok := c.Get(testKey(200), later)
	assert.True(t, ok, "a negative entry takes an expired entry's place")
	checkCounts(t, c)
}

// TestPositiveEvictsNegativeFirst: a positive entry set into a full cache
// evicts negative entries before any live positive one.
func TestPositiveEvictsNegativeFirst(t *testing.T) {
	c := New[val](100)
	now := time.Now()
	exp := now.Add(time.Hour)
	for i := range 10 {
		c.SetNegative(testKey(1000+i), entryAt(exp), now)
	}
	for i := range 100 {
		c.Set(testKey(i), entryAt(exp), now)
	}
	checkCounts(t, c)
	assert.Zero(t, c.negs.Load(), "the negative entries made room")
	for i := range 90 {
		_, ok := c.Get(testKey(i), now)
		require.True(t, ok, "positive entry %d was evicted while negative ones remained", i)
	}
}

// TestNegativeEvictsOldestNegativeFirst: past the negative bound, a new
// negative entry takes the oldest negative entry's place, replaced and
// removed ones aside.
func TestNegativeEvictsOldestNegativeFirst(t *testing.T) {
	c, s := oneShard(1000)
	c.negCap = 10
	now := time.Now()
	exp := now.Add(time.Hour)
	for i := range 10 {
		c.SetNegative(testKey(i), entryAt(exp), now)
	}
	c.SetNegative(testKey(0), entryAt(exp), now) // now the newest
	c.Remove(testKey(1))
	c.Set(testKey(2), entryAt(exp), now) // positive now, out of the queue
	checkCounts(t, c)
	require.EqualValues(t, 8, c.negs.Load())
	for i := range 4 {
		c.SetNegative(testKey(100+i), entryAt(exp), now)
	}
	// 10 negative entries now: two places were free, two were made by
	// dropping 3 and 4, the oldest.
	for i, want := range map[int]bool{0: true, 2: true, 3: false, 4: false, 5: true, 9: true, 103: true} {
		_, ok := c.Get(testKey(i), now)
		require.Equal(t, want, ok, "key %d", i)
	}
	checkCounts(t, c)
	assert.EqualValues(t, 10, c.negs.Load())
	assert.LessOrEqual(t, len(s.negq.items), 4*10, "the queue stays bounded")
}

// TestNegativeReplaces: a key moves between positive and negative, and the
// counts follow; a negative entry may not stay in a positive one's place.
func TestNegativeReplaces(t *testing.T) {
	c := New[val](100)
	now := time.Now()
	k := testKey(1)
	steps := []struct {
		neg  bool
		negs int64
	}{{false, 0}, {true, 1}, {true, 1}, {false, 0}, {false, 0}, {true, 1}}
	for i, st := range steps {
		e := entryAt(now.Add(time.Hour))
		if st.neg {
			c.SetNegative(k, e, now)
		} else {
			c.Set(k, e, now)
		}
		got, ok := c.Get(k, now)
		require.True(t, ok, "step %d", i)
		require.Same(t, e.Val.a, got.Val.a, "step %d", i)
		require.Equal(t, 1, c.Len(), "step %d", i)
		require.Equal(t, st.negs, c.negs.Load(), "step %d", i)
		checkCounts(t, c)
	}
	c.Remove(k)
	assert.Zero(t, c.Len())
	checkCounts(t, c)

	// With the negative share full, a positive entry turning negative
	// takes another negative entry's place, not a place past the bound.
	c.Set(k, entryAt(now.Add(time.Hour)), now)
	for i := range 10 {
		c.SetNegative(testKey(100+i), entryAt(now.Add(time.Hour)), now)
	}
	require.EqualValues(t, 10, c.negs.Load())
	c.SetNegative(k, entryAt(now.Add(time.Hour)), now)
	_, ok := c.Get(k, now)
	assert.True(t, ok)
	assert.Equal(t, 10, c.Len())
	checkCounts(t, c)
}

// TestNegativeBoundOfSmallCaches: a tenth of the size, one at least.
func TestNegativeBoundOfSmallCaches(t *testing.T) {
	for size, want := range map[int]int64{1: 1, 9: 1, 10: 1, 25: 2, 5000: 500} {
		c := New[val](size)
		assert.Equal(t, want, c.negCap, "size %d", size)
		now := time.Now()
		for i := range 3 * size {
			c.SetNegative(testKey(i), entryAt(now.Add(time.Hour)), now)
		}
		assert.Equal(t, want, c.negs.Load(), "size %d", size)
		checkCounts(t, c)
	}
}

// TestNegativeConcurrent: goroutines set positive and negative entries
// and remove them, some keys shared: the bounds hold throughout and the
// counters match the tables at rest.
func TestNegativeConcurrent(t *testing.T) {
	const size, workers, ops = 500, 8, 4000
	c := New[val](size)
	var wg sync.WaitGroup
	var over sync.Once
	for g := range workers {
		wg.Go(func() {
			for i := range ops {
				now := time.Now()
				k := testKey((g*ops + i) % 3000)
				exp := now.Add(time.Hour)
				if i%7 == 0 {
					exp = now.Add(-time.Second)
				}
				switch i % 5 {
				case 0, 1:
					c.SetNegative(k, entryAt(exp), now)
				case 2, 3:
					c.Set(k, entryAt(exp), now)
				default:
					c.Remove(k)
				}
				if c.negs.Load() > c.negCap || c.count.Load() > c.size {
					over.Do(func() { t.Errorf("bound passed: %d entries, %d negative", c.count.Load(), c.negs.Load()) })
				}
			}
		})
	}
	wg.Wait()
	checkCounts(t, c)
}

// TestNegativeQueueStaysBounded: negative entries removed, not evicted,
// leave stale places in their shard's queue, which compaction reclaims.
func TestNegativeQueueStaysBounded(t *testing.T) {
	c, s := oneShard(1000)
	c.negCap = 100
	now := time.Now()
	exp := now.Add(time.Hour)
	const held = 50
	for i := range 10_000 {
		c.SetNegative(testKey(i), entryAt(exp), now)
		if i >= held {
			c.Remove(testKey(i - held))
		}
		require.LessOrEqual(t, cap(s.negq.items), 4*(held+1)+8, "after %d entries", i)
	}
	checkCounts(t, c)
	assert.EqualValues(t, held, c.negs.Load())
}
