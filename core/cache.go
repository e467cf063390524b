package core

import (
	"crypto/sha256"
	"sync"
	"time"
	"unsafe"
)

// CacheKey is the SHA-256 of a token: the cache never holds a raw token.
type CacheKey [sha256.Size]byte

// KeyOf hashes a token into its cache key without allocating.
func KeyOf(token string) CacheKey {
	return sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token)))
}

// CacheEntry is one cached verdict: a verified TokenInfo, or the rejection
// of a token the authorization server answered about.
type CacheEntry struct {
	// Info is the verified answer, or nil for a cached rejection.
	Info *TokenInfo
	// Err is the cached rejection when Info is nil.
	Err *Error
	// Expires is when the entry stops being used.
	Expires time.Time
}

// Cache stores verdicts by token hash. Get must return only entries whose
// Expires is after now. Implementations must be safe for concurrent use;
// Get is on every request's path and should not allocate. Transport and
// authorization server errors are never stored.
type Cache interface {
	Get(key CacheKey, now time.Time) (CacheEntry, bool)
	Set(key CacheKey, e CacheEntry)
}

const maxCacheShards = 64

// MemoryCache is the default Cache: a map split into up to 64 shards, each
// under its own read-write lock, holding at most its size in entries. When
// a shard is full, a Set first drops expired entries, then arbitrary ones
// (map order is random, and keys are hashes).
type MemoryCache struct {
	mask   uint8 // shard count - 1; the count is a power of two
	shards [maxCacheShards]cacheShard
}

type cacheShard struct {
	mu    sync.RWMutex
	m     map[CacheKey]*memEntry
	limit int
	_     [24]byte // keep shards on separate cache lines
}

type memEntry struct {
	info    *TokenInfo
	err     *Error
	expires int64 // unix nanoseconds
}

// NewMemoryCache returns a cache holding at most size entries
// (DefaultCacheSize when size <= 0).
func NewMemoryCache(size int) *MemoryCache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	n := maxCacheShards
	for n > size {
		n /= 2
	}
	c := &MemoryCache{mask: uint8(n - 1)}
	for i := range n {
		s := &c.shards[i]
		s.limit = size / n
		if i < size%n {
			s.limit++
		}
		s.m = make(map[CacheKey]*memEntry)
	}
	return c
}

func (c *MemoryCache) shard(k CacheKey) *cacheShard { return &c.shards[k[0]&c.mask] }

// Get returns the live entry for key.
func (c *MemoryCache) Get(key CacheKey, now time.Time) (CacheEntry, bool) {
	s := c.shard(key)
	s.mu.RLock()
	e := s.m[key]
	s.mu.RUnlock()
	if e == nil || now.UnixNano() >= e.expires {
		return CacheEntry{}, false
	}
	return CacheEntry{Info: e.info, Err: e.err, Expires: time.Unix(0, e.expires)}, true
}

// Set stores e under key, evicting to stay within the bound.
func (c *MemoryCache) Set(key CacheKey, e CacheEntry) {
	me := &memEntry{info: e.Info, err: e.Err, expires: e.Expires.UnixNano()}
	s := c.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; !ok && len(s.m) >= s.limit {
		s.evict(time.Now().UnixNano())
	}
	s.m[key] = me
}

// evict makes room in a full shard. It drops the expired entries among
// the first 64 it meets (map order is random); if none were, it drops a
// batch of arbitrary entries, a sixteenth of the shard, so that the cost of
// the scan is shared by the Sets that follow.
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

// Len returns the number of entries, live or expired.
func (c *MemoryCache) Len() int {
	n := 0
	for i := range int(c.mask) + 1 {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
