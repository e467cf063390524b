package vcache

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// White-box tests of the cache's tables: growth, tombstones and their
// purge, the layout that keeps readers' and writers' cache lines apart.
// The concurrent behaviour is tested black-box in cache_test.go.

// val is a value of two pointers, as core's verdicts are.
type val struct{ a, b *int }

type testCache = Cache[val]

// oneShard returns a cache of one shard bounded to size, so that every
// key lands in the same table.
func oneShard(size int) (*testCache, *shard[val]) {
	c := &testCache{size: int64(size), batch: 1}
	return c, &c.shards[0]
}

func testKey(i int) Key { return sha256.Sum256([]byte("token-" + strconv.Itoa(i))) }

// checkTable checks s's counts against its slots: live entries, used
// slots (entries and tombstones), the load bound, an empty slot left.
func checkTable(t *testing.T, s *shard[val]) {
	t.Helper()
	tab := s.tab.Load()
	require.NotNil(t, tab)
	live, used := 0, 0
	for i := range tab.slots {
		switch e := tab.slots[i].Load(); {
		case e == nil:
		case e.tomb:
			used++
		default:
			live++
			used++
		}
	}
	require.Equal(t, s.live, live, "live entries")
	require.Equal(t, s.used, used, "used slots")
	require.LessOrEqual(t, used, len(tab.slots)*maxLoadNum/maxLoadDen, "load bound")
}

func TestTableGrowsAndFindsEveryKey(t *testing.T) {
	c, s := oneShard(100_000)
	now := time.Now()
	exp := now.Add(time.Hour)
	const n = 10_000
	infos := make([]*int, n)
	tables := map[*table[val]]bool{}
	for i := range n {
		infos[i] = new(int)
		c.Set(testKey(i), Entry[val]{Val: val{a: infos[i]}, Expires: exp}, now)
		tables[s.tab.Load()] = true
	}
	checkTable(t, s)
	assert.Equal(t, n, c.Len())
	assert.Equal(t, n, c.Entries())
	slots := len(s.tab.Load().slots)
	assert.GreaterOrEqual(t, slots, n*maxLoadDen/maxLoadNum, "at most 3/4 full")
	assert.LessOrEqual(t, slots, 2*n+2, "at least half full")
	assert.Greater(t, len(tables), 10, "the table grew step by step")
	for i := range n {
		e, ok := c.Get(testKey(i), now)
		require.True(t, ok, "key %d", i)
		require.Same(t, infos[i], e.Val.a, "key %d", i)
	}
	_, ok := c.Get(testKey(n), now)
	assert.False(t, ok)
}

func TestTableTombstonesArePurged(t *testing.T) {
	c, s := oneShard(100_000)
	now := time.Now()
	exp := now.Add(time.Hour)
	const n, rounds = 1000, 50_000
	for i := range n {
		c.Set(testKey(i), Entry[val]{Val: val{a: new(int)}, Expires: exp}, now)
	}
	maxSlots, tombstones, rebuilds := 0, 0, 0
	tab := s.tab.Load()
	for r := range rounds { // remove the oldest key, add a new one
		c.Remove(testKey(r))
		c.Set(testKey(n+r), Entry[val]{Val: val{a: new(int)}, Expires: exp}, now)
		if s.used > s.live {
			tombstones++
		}
		if cur := s.tab.Load(); cur != tab {
			tab = cur
			rebuilds++
		}
		maxSlots = max(maxSlots, len(tab.slots))
	}
	checkTable(t, s)
	assert.Positive(t, tombstones, "removal left tombstones")
	assert.Positive(t, rebuilds, "and rebuilds purged them")
	assert.LessOrEqual(t, maxSlots, 2*n+2, "the table did not grow with the churn")
	assert.Equal(t, n, c.Len())
	assert.Equal(t, n, c.Entries())
	for r := range rounds + n {
		_, ok := c.Get(testKey(r), now)
		require.Equal(t, r >= rounds, ok, "key %d", r)
	}
}

// collidingKeys returns n keys with the same home slot.
func collidingKeys(n int) []Key {
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = testKey(i)
		binary.LittleEndian.PutUint64(keys[i][8:16], 42)
	}
	return keys
}

func TestTableClearEmptiesSlotsNoProbeNeeds(t *testing.T) {
	c, s := oneShard(100)
	now := time.Now()
	e := Entry[val]{Val: val{a: new(int)}, Expires: now.Add(time.Hour)}
	keys := collidingKeys(3)
	for _, k := range keys {
		c.Set(k, e, now)
	}
	checkTable(t, s)
	require.Equal(t, 3, s.used)

	c.Remove(keys[0]) // the next slot holds keys[1]: a tombstone
	checkTable(t, s)
	assert.Equal(t, 2, s.live)
	assert.Equal(t, 3, s.used)
	_, ok := c.Get(keys[2], now)
	assert.True(t, ok, "found past the tombstone")

	c.Remove(keys[2]) // the last of the run: empty
	checkTable(t, s)
	assert.Equal(t, 2, s.used)

	c.Remove(keys[1]) // empties, and the tombstone before it too
	checkTable(t, s)
	assert.Zero(t, s.used)
	assert.Zero(t, c.Len())
}

func TestTableZeroKeyIsNotATombstone(t *testing.T) {
	c, _ := oneShard(100)
	now := time.Now()
	var zero Key
	other := zero
	other[31] = 1 // same home as zero, stored before it
	info := new(int)
	c.Set(other, Entry[val]{Val: val{a: new(int)}, Expires: now.Add(time.Hour)}, now)
	c.Set(zero, Entry[val]{Val: val{a: info}, Expires: now.Add(time.Hour)}, now)
	c.Remove(other) // leaves a tombstone, whose key is all zero, before zero's slot
	e, ok := c.Get(zero, now)
	require.True(t, ok)
	assert.Same(t, info, e.Val.a)
	c.Remove(zero)
	_, ok = c.Get(zero, now)
	assert.False(t, ok)
	assert.Zero(t, c.Len())
}

func TestTableEvictionTakesExpiredEntriesThenBatches(t *testing.T) {
	c, s := oneShard(100)
	c.batch = 5
	now := time.Now()
	for i := range 100 {
		exp := now.Add(time.Hour)
		if i%2 == 0 {
			exp = now.Add(-time.Second)
		}
		c.Set(testKey(i), Entry[val]{Val: val{a: new(int)}, Expires: exp}, now)
	}
	s.mu.Lock()
	dropped := c.evict(s, now.UnixNano(), true)
	s.mu.Unlock()
	assert.Positive(t, dropped)
	for i := range 100 {
		if _, ok := c.Get(testKey(i), now); !ok {
			require.Zero(t, i%2, "live entry %d dropped with the expired ones", i)
		}
	}
	s.mu.Lock()
	for c.evict(s, now.UnixNano(), true) > 0 { // every expired entry
	}
	before := s.live
	assert.Equal(t, 5, c.evict(s, now.UnixNano(), false), "a batch of live ones")
	s.mu.Unlock()
	assert.Equal(t, before-5, s.live)
	assert.Equal(t, c.Len(), c.Entries())
	checkTable(t, s)
}

// TestCacheLayout: what a hit reads (the shard's table pointer, the shard
// mask) shares no cache line with what writers write.
func TestCacheLayout(t *testing.T) {
	var s shard[val]
	assert.EqualValues(t, 128, unsafe.Sizeof(s))
	assert.EqualValues(t, 64, unsafe.Offsetof(s.mu))
	var c testCache
	assert.EqualValues(t, 64, unsafe.Offsetof(c.count))
	assert.EqualValues(t, 72, unsafe.Offsetof(c.negs))
	assert.EqualValues(t, 128, unsafe.Offsetof(c.shards))
	assert.LessOrEqual(t, unsafe.Sizeof(entry[val]{}), uintptr(64), "a 64-byte allocation")
}
