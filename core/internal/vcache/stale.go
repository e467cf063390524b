package vcache

import (
	"math"
	"time"
)

// GetStale returns the positive entry for key while it may still be used
// when its value cannot be obtained again: up to its Stale time, past its
// Expires (see Entry). It is for the miss path, after a failure: Get, the
// hit path, never returns an entry past its Expires, and does no more work
// for the entries kept longer. A negative entry is never returned.
func (c *Cache[V]) GetStale(key Key, now time.Time) (Entry[V], bool) {
	t := c.shard(&key).tab.Load()
	if t == nil {
		return Entry[V]{}, false
	}
	e := t.lookup(&key)
	if e == nil || e.neg {
		return Entry[V]{}, false
	}
	until := e.until()
	if now.UnixNano() >= until {
		return Entry[V]{}, false
	}
	return Entry[V]{Val: e.val, Expires: time.Unix(0, e.expires), Stale: time.Unix(0, until)}, true
}

// staleSeconds is how long past its expiry a positive entry is kept: the
// whole seconds from e.Expires to e.Stale, rounded down so that it never
// outlives e.Stale (the token's exp may bound it).
func staleSeconds[V any](e Entry[V]) uint32 {
	if !e.Stale.After(e.Expires) {
		return 0
	}
	return uint32(min(e.Stale.Sub(e.Expires)/time.Second, math.MaxUint32))
}
