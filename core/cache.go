package core

import (
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

// memoryCache is the default cache: a map split into up to 64 shards, each
// under its own read-write lock, holding at most size entries in all: a
// cache of size N holds N distinct live tokens, and evicts only past N.
// Then a set drops expired entries (of its shard first), else arbitrary
// ones (map order is random, and keys are hashes) in batches, so that the
// cost of the scan is shared by the sets that follow.
type memoryCache struct {
	mask  uint8 // shard count - 1; the count is a power of two
	size  int64
	batch int
	count atomic.Int64 // entries in all shards
	// noExpiredUntil skips the search for expired entries in other shards
	// for a second after one found none (unix nanoseconds).
	noExpiredUntil atomic.Int64
	shards         [maxCacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[cacheKey]*memEntry
	_  [32]byte // keep shards on separate cache lines
}

type memEntry struct {
	info    *TokenInfo
	err     *authError
	expires int64 // unix nanoseconds
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
	c := &memoryCache{mask: uint8(n - 1), size: int64(size), batch: max(1, size/n/16)}
	for i := range n {
		c.shards[i].m = make(map[cacheKey]*memEntry)
	}
	return c
}

func (c *memoryCache) shard(k cacheKey) *cacheShard { return &c.shards[k[0]&c.mask] }

// get returns the live entry for key.
func (c *memoryCache) get(key cacheKey, now time.Time) (cacheEntry, bool) {
	s := c.shard(key)
	s.mu.RLock()
	e := s.m[key]
	s.mu.RUnlock()
	if e == nil || now.UnixNano() >= e.expires {
		return cacheEntry{}, false
	}
	return cacheEntry{info: e.info, err: e.err, expires: time.Unix(0, e.expires)}, true
}

// set stores e under key, evicting to stay within the bound; now (the
// ResourceServer's clock) decides which entries have expired.
func (c *memoryCache) set(key cacheKey, e cacheEntry, now time.Time) {
	me := &memEntry{info: e.info, err: e.err, expires: e.expires.UnixNano()}
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; ok {
		s.m[key] = me
		return
	}
	for {
		n := c.count.Load()
		if n < c.size {
			if c.count.CompareAndSwap(n, n+1) {
				break
			}
			continue
		}
		c.makeRoom(s, now.UnixNano())
		if _, ok := s.m[key]; ok { // set meanwhile, while s was unlocked
			s.m[key] = me
			return
		}
	}
	s.m[key] = me
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
		if c.elsewhere(s, func(o *cacheShard) int { return c.evict(o, now, true) }) {
			return
		}
		c.noExpiredUntil.Store(now + int64(time.Second))
	}
	s.mu.Lock()
	dropped := c.evict(s, now, false)
	s.mu.Unlock()
	if dropped == 0 {
		c.elsewhere(s, func(o *cacheShard) int { return c.evict(o, now, false) })
	}
}

// evict drops entries of s, whose lock the caller holds: the expired ones
// among the first 64 it meets, and with any, a batch of arbitrary ones
// besides. It returns how many it dropped.
func (c *memoryCache) evict(s *cacheShard, now int64, expiredOnly bool) int {
	dropped, seen := 0, 0
	for k, e := range s.m {
		if e.expires <= now {
			delete(s.m, k)
			dropped++
		}
		if seen++; seen >= 64 {
			break
		}
	}
	if !expiredOnly {
		for k := range s.m {
			if dropped >= c.batch {
				break
			}
			delete(s.m, k)
			dropped++
		}
	}
	c.count.Add(-int64(dropped))
	return dropped
}

// elsewhere runs drop on the other shards, each locked in turn, until one
// frees an entry; it reports whether one did.
func (c *memoryCache) elsewhere(except *cacheShard, drop func(*cacheShard) int) bool {
	for i := range int(c.mask) + 1 {
		o := &c.shards[i]
		if o == except {
			continue
		}
		o.mu.Lock()
		n := drop(o)
		o.mu.Unlock()
		if n > 0 {
			return true
		}
	}
	return false
}

// remove drops the entry for key, if any.
func (c *memoryCache) remove(key cacheKey) {
	s := c.shard(key)
	s.mu.Lock()
	if _, ok := s.m[key]; ok {
		delete(s.m, key)
		c.count.Add(-1)
	}
	s.mu.Unlock()
}

// len returns the number of entries, live or expired: the count that
// bounds the cache. An entry is inserted only after its place is reserved
// in it and counted out only after it is deleted, so the maps never hold
// more; summing the shards one by one while sets move entries between
// them could count an entry twice.
func (c *memoryCache) len() int { return int(c.count.Load()) }

// entries sums the shards' maps; at rest it equals len.
func (c *memoryCache) entries() int {
	n := 0
	for i := range int(c.mask) + 1 {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
