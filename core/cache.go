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

const cacheShards = 64

// MemoryCache is the default Cache: a map split into 64 shards, each under
// its own read-write lock, bounded in entries. When a shard is full, a Set
// first drops expired entries, then arbitrary ones (map order is random,
// and keys are hashes).
type MemoryCache struct {
	perShard int
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[CacheKey]*memEntry
	_  [32]byte // keep shards on separate cache lines
}

type memEntry struct {
	info    *TokenInfo
	err     *Error
	expires int64 // unix nanoseconds
}

// NewMemoryCache returns a cache holding at most about size entries
// (DefaultCacheSize when size <= 0).
func NewMemoryCache(size int) *MemoryCache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	c := &MemoryCache{perShard: max(1, (size+cacheShards-1)/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[CacheKey]*memEntry)
	}
	return c
}

func (c *MemoryCache) shard(k CacheKey) *cacheShard { return &c.shards[k[0]%cacheShards] }

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
	if _, ok := s.m[key]; !ok && len(s.m) >= c.perShard {
		s.evict(time.Now().UnixNano(), c.perShard)
	}
	s.m[key] = me
}

// evict drops expired entries (looking at a bounded number), then
// arbitrary ones until the shard has room for one more.
func (s *cacheShard) evict(now int64, limit int) {
	seen := 0
	for k, e := range s.m {
		if e.expires <= now {
			delete(s.m, k)
		}
		if seen++; seen >= 64 {
			break
		}
	}
	for k := range s.m {
		if len(s.m) < limit {
			break
		}
		delete(s.m, k)
	}
}

// Len returns the number of entries, live or expired.
func (c *MemoryCache) Len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
