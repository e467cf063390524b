package core

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// cacheEntry is one cached verdict: a verified TokenInfo, or the rejection
// of a token the authorization server answered about. Both are shared
// read-only between requests.
type cacheEntry struct {
	info    *TokenInfo
	err     *authError // the rejection when info is nil
	expires time.Time
}

// verdictCache stores verdicts by cacheKey. get returns only entries whose
// expires is after now. Implementations are safe for concurrent use; get
// is on every request's path and does not allocate. Transport and
// authorization server errors are never stored.
type verdictCache interface {
	get(key cacheKey, now time.Time) (cacheEntry, bool)
	set(key cacheKey, e cacheEntry, now time.Time)
	remove(key cacheKey)
}

const maxCacheShards = 64

// memoryCache is the default cache: up to 64 shards, each a hash table
// that readers search without a lock (see table) and writers change under
// the shard's mutex. It holds at most size entries in all: a cache of size
// N holds N distinct live tokens, and evicts only past N. Then a set drops
// expired entries (of its shard first), else arbitrary ones (from a random
// slot; keys are hashes) in batches, so that the cost of the scan is shared
// by the sets that follow.
type memoryCache struct {
	mask  uint8 // shard count - 1; the count is a power of two
	size  int64
	batch int
	_     [40]byte     // what get reads apart from what set writes
	count atomic.Int64 // entries in all shards, reserved before insertion
	// noExpiredUntil skips the search for expired entries in other shards
	// for a second after one found none (unix nanoseconds).
	noExpiredUntil atomic.Int64
	_              [48]byte
	shards         [maxCacheShards]cacheShard
}

// cacheShard is one table and its writers' mutex, each on its own cache
// line: a hit reads tab alone, and is not slowed by writers taking mu.
type cacheShard struct {
	tab  atomic.Pointer[table] // nil until the first set
	_    [56]byte
	mu   sync.Mutex
	live int // entries in tab
	used int // entries and tombstones in tab
	_    [40]byte
}

// newMemoryCache returns a cache holding at most size entries
// (defaultCacheSize when size <= 0).
func newMemoryCache(size int) *memoryCache {
	if size <= 0 {
		size = defaultCacheSize
	}
	n := maxCacheShards
	for n > size {
		n /= 2
	}
	return &memoryCache{mask: uint8(n - 1), size: int64(size), batch: max(1, size/n/16)}
}

func (c *memoryCache) shard(k *cacheKey) *cacheShard { return &c.shards[k[0]&c.mask] }

// get returns the live entry for key. It takes no lock, writes no shared
// memory and does not allocate: hits scale with cores.
func (c *memoryCache) get(key cacheKey, now time.Time) (cacheEntry, bool) {
	t := c.shard(&key).tab.Load()
	if t == nil {
		return cacheEntry{}, false
	}
	e := t.lookup(&key)
	if e == nil || now.UnixNano() >= e.expires {
		return cacheEntry{}, false
	}
	return cacheEntry{info: e.info, err: e.err, expires: time.Unix(0, e.expires)}, true
}

// set stores e under key, evicting to stay within the bound; now (the
// ResourceServer's clock) decides which entries have expired.
func (c *memoryCache) set(key cacheKey, e cacheEntry, now time.Time) {
	me := &memEntry{key: key, info: e.info, err: e.err, expires: e.expires.UnixNano()}
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
func (c *memoryCache) reserve() bool {
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
func (c *memoryCache) makeRoom(s *cacheShard, now int64) {
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
func (c *memoryCache) evict(s *cacheShard, now int64, expiredOnly bool) int {
	t := s.tab.Load()
	if t == nil || s.live == 0 {
		return 0
	}
	n := len(t.slots)
	start := rand.IntN(n)
	dropped, seen := 0, 0
	for i, k := start, 0; k < n && seen < 64; k++ {
		if e := t.slots[i].Load(); e != nil && e != tombstone {
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
		if e := t.slots[i].Load(); e != nil && e != tombstone {
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
func (c *memoryCache) elsewhere(except *cacheShard, now int64, expiredOnly bool) bool {
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

// remove drops the entry for key, if any. A get that starts after remove
// returns does not find it.
func (c *memoryCache) remove(key cacheKey) {
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

// len returns the number of entries, live or expired: the count that
// bounds the cache. An entry is inserted only after its place is reserved
// in it and counted out only after it is cleared, so the tables never hold
// more; summing the shards one by one while sets move entries between
// them could count an entry twice.
func (c *memoryCache) len() int { return int(c.count.Load()) }

// entries sums the shards' tables; at rest it equals len.
func (c *memoryCache) entries() int {
	n := 0
	for i := range int(c.mask) + 1 {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.live
		s.mu.Unlock()
	}
	return n
}
