package vcache

import (
	"math/rand/v2"
	"time"
)

// SetNegative stores e, a negative entry, under key. Negative entries are
// the ones whose number a client chooses, such as rejections of tokens it
// made up: they are kept apart, so that a flood of them costs the cache
// nothing but their own places.
//   - At most a tenth of the cache's size (one at least) are negative;
//     past that, a new one takes the place of another negative entry, an
//     expired one if it meets one.
//   - A negative entry never evicts a live positive one: in a cache full of
//     them it is not stored at all. It may take an expired entry's place.
//   - It replaces a negative entry with its key, and drops a positive one.
//
// A positive entry (Set) may evict negative ones, before any live positive
// entry.
func (c *Cache[V]) SetNegative(key Key, e Entry[V], now time.Time) {
	c.set(&entry[V]{key: key, val: e.Val, expires: e.Expires.UnixNano(), neg: true}, now.UnixNano())
}

// dropNegative frees negative entries, of s first, else of the other
// shards (each locked in turn, s unlocked meanwhile, from a random one),
// and reports whether it freed any. s is locked on entry and on return.
func (c *Cache[V]) dropNegative(s *shard[V], now int64) bool {
	if c.evictNegative(s, now) > 0 {
		return true
	}
	if c.negs.Load() == 0 {
		return false
	}
	s.mu.Unlock()
	defer s.mu.Lock()
	n := int(c.mask) + 1
	for i, k := rand.IntN(n), 0; k < n; k++ {
		if o := &c.shards[i]; o != s {
			o.mu.Lock()
			dropped := c.evictNegative(o, now)
			o.mu.Unlock()
			if dropped > 0 {
				return true
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	return false
}

// evictNegative drops negative entries of s, whose lock the caller holds:
// the expired ones among the first 64 negative entries it meets from a
// random slot, else the first one it met. It returns how many it dropped.
func (c *Cache[V]) evictNegative(s *shard[V], now int64) int {
	t := s.tab.Load()
	if t == nil || s.neg == 0 {
		return 0
	}
	n := len(t.slots)
	negs := s.neg // the scan ends once it has met them all
	first, dropped, seen := -1, 0, 0
	for i, k := rand.IntN(n), 0; k < n && seen < min(negs, 64); k++ {
		if e := t.slots[i].Load(); e != nil && !e.tomb && e.neg {
			seen++
			if e.expires <= now {
				c.drop(s, t, i)
				dropped++
			} else if first < 0 {
				first = i
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	if dropped == 0 && first >= 0 {
		c.drop(s, t, first)
		dropped++
	}
	return dropped
}
