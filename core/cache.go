package core

import (
	"sync"
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
// under its own read-write lock, holding at most its size in entries. When
// a shard is full, a set first drops expired entries, then arbitrary ones
// (map order is random, and keys are hashes).
type memoryCache struct {
	mask   uint8 // shard count - 1; the count is a power of two
	shards [maxCacheShards]cacheShard
}

type cacheShard struct {
	mu    sync.RWMutex
	m     map[cacheKey]*memEntry
	limit int
	_     [24]byte // keep shards on separate cache lines
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
	c := &memoryCache{mask: uint8(n - 1)}
	for i := range n {
		s := &c.shards[i]
		s.limit = size / n
		if i < size%n {
			s.limit++
		}
		s.m = make(map[cacheKey]*memEntry)
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
	if _, ok := s.m[key]; !ok && len(s.m) >= s.limit {
		s.evict(now.UnixNano())
	}
	s.m[key] = me
}

// remove drops the entry for key, if any.
func (c *memoryCache) remove(key cacheKey) {
	s := c.shard(key)
	s.mu.Lock()
	delete(s.m, key)
	s.mu.Unlock()
}

// evict makes room in a full shard. It drops the expired entries among
// the first 64 it meets (map order is random); if none were, it drops a
// batch of arbitrary entries, a sixteenth of the shard, so that the cost of
// the scan is shared by the sets that follow.
func (s *cacheShard) evict(now int64) {
	seen := 0
	for k, e := range s.m {
		if e.expires <= now {
			delete(s.m, k)
		}
		if seen++; seen >= 64 {
			break
		}
	}
	if len(s.m) < s.limit {
		return
	}
	target := s.limit - max(1, s.limit/16)
	for k := range s.m {
		if len(s.m) <= target {
			break
		}
		delete(s.m, k)
	}
}

// len returns the number of entries, live or expired.
func (c *memoryCache) len() int {
	n := 0
	for i := range int(c.mask) + 1 {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
