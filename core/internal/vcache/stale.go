package vcache

import (
	"math"
	"time"
)

// SetStale is Set for a positive entry kept past e.Expires until stale,
// in whole seconds rounded down (so never past stale): Get, the hit path,
// no longer returns it past e.Expires, and does no more work for it;
// GetStale does, until stale. Eviction takes it for expired only past
// stale, but frees it before live entries when the cache is full.
func (c *Cache[V]) SetStale(key Key, e Entry[V], stale, now time.Time) {
	c.set(&entry[V]{key: key, val: e.Val, expires: e.Expires.UnixNano(), stale: staleSeconds(e.Expires, stale)}, now.UnixNano())
}

// GetStale returns the positive entry for key while it may still be used
// when its value cannot be obtained again: until the end of its stale
// window (see SetStale), past its Expires. It is for the miss path, after
// a failure. A negative entry is never returned.
func (c *Cache[V]) GetStale(key Key, now time.Time) (Entry[V], bool) {
	t := c.shard(&key).tab.Load()
	if t == nil {
		return Entry[V]{}, false
	}
	e := t.lookup(&key)
	if e == nil || e.neg || now.UnixNano() >= e.until() {
		return Entry[V]{}, false
	}
	return Entry[V]{Val: e.val, Expires: time.Unix(0, e.expires)}, true
}

// staleSeconds is how long past expires an entry is kept: the whole
// seconds to stale, rounded down so that it never outlives stale (the
// token's exp may bound it).
func staleSeconds(expires, stale time.Time) uint32 {
	if !stale.After(expires) {
		return 0
	}
	return uint32(min(stale.Sub(expires)/time.Second, math.MaxUint32))
}
