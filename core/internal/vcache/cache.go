// Package vcache is the first level of the verdict cache: a bounded map
// from 32-byte keys to immutable values with an expiry, whose hits take no
// lock and do not allocate. Keys are hashes (SHA-256 outputs), uniformly
// distributed: the cache uses their bytes to pick shards and slots.
package vcache

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Key is an entry's key: a hash, uniformly distributed.
type Key [32]byte

// Entry is a stored value and the time it stops being returned.
type Entry[V any] struct {
	Val     V
	Expires time.Time
}

const maxCacheShards = 64

// Cache holds values of type V: up to 64 shards, each a hash table
// that readers search without a lock (see table) and writers change under
// the shard's mutex. It holds at most size entries in all: a cache of size
// N holds N distinct live tokens, and evicts only past N. Then a set drops
// expired entries (of its shard first), else arbitrary ones (from a random
// slot; keys are hashes) in batches, so that the cost of the scan is shared
// by the sets that follow.
type Cache[V any] struct {
	mask  uint8 // shard count - 1; the count is a power of two
	size  int64
	batch int
	_     [40]byte     // what get reads apart from what set writes
	count atomic.Int64 // entries in all shards, reserved before insertion
	// noExpiredUntil skips the search for expired entries in other shards
	// for a second after one found none (unix nanoseconds).
	noExpiredUntil atomic.Int64
	_              [48]byte
	shards         [maxCacheShards]shard[V]
}

// shard is one table and its writers' mutex, each on its own cache
// line: a hit reads tab alone, and is not slowed by writers taking mu.
type shard[V any] struct {
	tab  atomic.Pointer[table[V]] // nil until the first set
	_    [56]byte
	mu   sync.Mutex
	live int // entries in tab
	used int // entries and tombstones in tab
	tomb *entry[V]
	_    [32]byte
}

// New returns a cache holding at most size entries (one when size < 1).
func New[V any](size int) *Cache[V] {
	size = max(size, 1)
	n := maxCacheShards
	for n > size {
		n /= 2
	}
	return &Cache[V]{mask: uint8(n - 1), size: int64(size), batch: max(1, size/n/16)}
}

func (c *Cache[V]) shard(k *Key) *shard[V] { return &c.shards[k[0]&c.mask] }

// Get returns the live entry for key. It takes no lock, writes no shared
// memory and does not allocate: hits scale with cores.
func (c *Cache[V]) Get(key Key, now time.Time) (Entry[V], bool) {
	t := c.shard(&key).tab.Load()
	if t == nil {
		return Entry[V]{}, false
	}
	e := t.lookup(&key)
	if e == nil || now.UnixNano() >= e.expires {
		return Entry[V]{}, false
	}
	return Entry[V]{Val: e.val, Expires: time.Unix(0, e.expires)}, true
}

// Set stores e under key, evicting to stay within the bound; now (the
// caller's clock) decides which entries have expired.
func (c *Cache[V]) Set(key Key, e Entry[V], now time.Time) {
	me := &entry[V]{key: key, val: e.Val, expires: e.Expires.UnixNano()}
	s := c.shard(&key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replace(me) {
		return
	}
	for !c.reserve() {
		c.makeRoom(s, now.UnixNano())
		if s.replace(me) { // set meanwhile, while s was unlocked
			return
		}
	}
	s.insert(me)
}

// reserve takes a place in the bound for a new entry, if one is free.
func (c *Cache[V]) reserve() bool {
	for {
		n := c.count.Load()
		if n >= c.size {
			return false
		}
		if c.count.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// makeRoom frees entries when the cache is full, s locked on entry and on
// return: expired entries of s, else expired entries of the other shards
// (not again for a second after a search found none: a cache full of live
// entries must not scan them all on every set), else a batch of arbitrary
// entries of s, else of another shard.
func (c *Cache[V]) makeRoom(s *shard[V], now int64) {
	if c.evict(s, now, true) > 0 {
		return
	}
	s.mu.Unlock()
	defer s.mu.Lock()
	if now >= c.noExpiredUntil.Load() {
		if c.elsewhere(s, now, true) {
			return
		}
		c.noExpiredUntil.Store(now + int64(time.Second))
	}
	s.mu.Lock()
	dropped := c.evict(s, now, false)
	s.mu.Unlock()
	if dropped == 0 {
		c.elsewhere(s, now, false)
	}
}

// evict drops entries of s, whose lock the caller holds: the expired ones
// among the first 64 it meets from a random slot, and unless expiredOnly,
// a batch of arbitrary ones besides. It returns how many it dropped.
func (c *Cache[V]) evict(s *shard[V], now int64, expiredOnly bool) int {
	t := s.tab.Load()
	if t == nil || s.live == 0 {
		return 0
	}
	n := len(t.slots)
	start := rand.IntN(n)
	dropped, seen := 0, 0
	for i, k := start, 0; k < n && seen < 64; k++ {
		if e := t.slots[i].Load(); e != nil && !e.tomb {
			seen++
			if e.expires <= now {
				s.clear(t, i)
				dropped++
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	for i, k := start, 0; !expiredOnly && k < n && dropped < c.batch; k++ {
		if e := t.slots[i].Load(); e != nil && !e.tomb {
			s.clear(t, i)
			dropped++
		}
		if i++; i == n {
			i = 0
		}
	}
	c.count.Add(-int64(dropped))
	return dropped
}

// elsewhere runs evict on the other shards, each locked in turn, until one
// frees an entry; it reports whether one did.
func (c *Cache[V]) elsewhere(except *shard[V], now int64, expiredOnly bool) bool {
	for i := range int(c.mask) + 1 {
		o := &c.shards[i]
		if o == except {
			continue
		}
		o.mu.Lock()
		n := c.evict(o, now, expiredOnly)
		o.mu.Unlock()
		if n > 0 {
			return true
		}
	}
	return false
}

// Remove drops the entry for key, if any. A get that starts after remove
// returns does not find it.
func (c *Cache[V]) Remove(key Key) {
	s := c.shard(&key)
	s.mu.Lock()
	if t := s.tab.Load(); t != nil {
		if at, _ := t.find(&key); at >= 0 {
			s.clear(t, at)
			c.count.Add(-1)
		}
	}
	s.mu.Unlock()
}

// Len returns the number of entries, live or expired: the count that
// bounds the cache. An entry is inserted only after its place is reserved
// in it and counted out only after it is cleared, so the tables never hold
// more; summing the shards one by one while sets move entries between
// them could count an entry twice.
func (c *Cache[V]) Len() int { return int(c.count.Load()) }

// Entries sums the shards' tables; at rest it equals Len.
func (c *Cache[V]) Entries() int {
	n := 0
	for i := range int(c.mask) + 1 {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.live
		s.mu.Unlock()
	}
	return n
}
