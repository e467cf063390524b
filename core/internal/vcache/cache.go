// Package vcache is the first level of the verdict cache: a bounded map
// from 32-byte keys to immutable values with an expiry, whose hits take no
// lock and do not allocate. Keys are hashes (SHA-256 outputs), uniformly
// distributed: the cache uses their bytes to pick shards and slots.
//
// Negative entries (rejections, whose volume whoever sends tokens
// chooses) are kept within a share of the bound and never take the place
// of another entry: see SetNegative.
package vcache

import (
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

// negativeShare is the bound on negative entries, as a divisor of the
// cache's size: at most a tenth of the entries are negative.
const negativeShare = 10

// Cache holds values of type V: up to 64 shards, each a hash table
// that readers search without a lock (see table) and writers change under
// the shard's mutex. It holds at most size entries in all: a cache of size
// N holds N distinct live tokens, and evicts only past N. Then a set drops
// expired entries (of its shard first), else negative ones, else
// arbitrary ones (from a random slot; keys are hashes) in batches, so that
// the cost of the scan is shared by the sets that follow. Of the size, at
// most negCap entries are negative (see SetNegative).
type Cache[V any] struct {
	mask   uint8 // shard count - 1; the count is a power of two
	size   int64
	batch  int
	negCap int64        // negative entries at most: size / negativeShare, at least 1
	_      [32]byte     // what get reads apart from what set writes
	count  atomic.Int64 // entries in all shards, reserved before insertion
	negs   atomic.Int64 // negative entries among them, reserved the same way
	// noExpiredUntil skips the search for expired entries in other shards
	// for a second after one found none (unix nanoseconds).
	noExpiredUntil atomic.Int64
	_              [40]byte
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
	neg  int // negative entries in tab
	tomb *entry[V]
	negq *negQueue[V] // its negative entries, oldest first; nil until the first
	_    [16]byte
}

// New returns a cache holding at most size entries (one when size < 1).
func New[V any](size int) *Cache[V] {
	size = max(size, 1)
	n := maxCacheShards
	for n > size {
		n /= 2
	}
	return &Cache[V]{mask: uint8(n - 1), size: int64(size), batch: max(1, size/n/16),
		negCap: int64(max(1, size/negativeShare))}
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
// caller's clock) decides which entries have expired. It may evict any
// entry, expired and negative ones first.
func (c *Cache[V]) Set(key Key, e Entry[V], now time.Time) {
	c.set(&entry[V]{key: key, val: e.Val, expires: e.Expires.UnixNano()}, now.UnixNano())
}

// set stores me, s locked throughout but while making room.
func (c *Cache[V]) set(me *entry[V], now int64) {
	s := c.shard(&me.key)
	s.mu.Lock()
	defer s.mu.Unlock()
	for !c.replace(s, me) { // set meanwhile, while s was unlocked
		if c.reserve(me.neg) {
			s.insert(me)
			return
		}
		if !c.makeRoom(s, now, me.neg) {
			return
		}
	}
}

// replace stores me in place of the entry with its key, if s holds one,
// and reports whether it did. A negative entry does not take a positive
// one's place, which would be a place outside the negative bound: the
// positive entry is dropped instead, and me is to be inserted as a new
// entry. The shard's mutex is held.
func (c *Cache[V]) replace(s *shard[V], me *entry[V]) bool {
	t := s.tab.Load()
	if t == nil {
		return false
	}
	at, _ := t.find(&me.key)
	if at < 0 {
		return false
	}
	old := t.slots[at].Load()
	if me.neg && !old.neg {
		c.drop(s, t, at)
		return false
	}
	if old.neg && !me.neg {
		s.neg--
		c.negs.Add(-1)
	}
	t.slots[at].Store(me)
	if me.neg { // a newer entry: it goes to the back of the queue
		s.pushNegative(me)
	}
	return true
}

// reserve takes a place in the bound for a new entry, and for a negative
// one a place in the negative bound too, if they are free.
func (c *Cache[V]) reserve(neg bool) bool {
	if neg && !reserveIn(&c.negs, c.negCap) {
		return false
	}
	if reserveIn(&c.count, c.size) {
		return true
	}
	if neg {
		c.negs.Add(-1)
	}
	return false
}

// reserveIn adds one to n unless it has reached bound.
func reserveIn(n *atomic.Int64, bound int64) bool {
	for {
		v := n.Load()
		if v >= bound {
			return false
		}
		if n.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// Remove drops the entry for key, if any. A get that starts after remove
// returns does not find it.
func (c *Cache[V]) Remove(key Key) {
	s := c.shard(&key)
	s.mu.Lock()
	if t := s.tab.Load(); t != nil {
		if at, _ := t.find(&key); at >= 0 {
			c.drop(s, t, at)
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
