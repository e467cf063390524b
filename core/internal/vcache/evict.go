package vcache

import (
	"math/rand/v2"
	"time"
)

// makeRoom frees a place for a new entry, s locked on entry and on
// return, and reports whether the set should try again. A negative entry
// past the negative bound takes a negative entry's place. Otherwise the
// cache is full, and makeRoom frees expired entries of s, else expired
// entries of the other shards (not again for a second after a search
// found none: a cache full of live entries must not scan them all on
// every set), else negative entries. An entry in its stale window is not
// expired yet, here. Past these, a positive entry frees a batch of s's
// entries, stale ones first, else of another shard; a negative one gives
// up, and is not stored: it never evicts a live positive entry.
func (c *Cache[V]) makeRoom(s *shard[V], now int64, neg bool) bool {
	if neg && c.negs.Load() >= c.negCap {
		return c.dropNegative(s)
	}
	if c.evict(s, now, true) > 0 {
		return true
	}
	if now >= c.noExpiredUntil.Load() {
		if c.elsewhere(s, now, true) {
			return true
		}
		c.noExpiredUntil.Store(now + int64(time.Second))
	}
	if c.dropNegative(s) {
		return true
	}
	if neg {
		return false
	}
	if c.evict(s, now, false) == 0 {
		c.elsewhere(s, now, false)
	}
	return true
}

// evict drops entries of s, whose lock the caller holds: the expired ones
// among the first 64 it meets from a random slot (with expiredOnly, those
// past their stale window; without, those past their expiry), and unless
// expiredOnly, a batch of arbitrary ones besides. It returns how many it
// dropped.
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
			if e.until() <= now || (!expiredOnly && e.expires <= now) {
				c.drop(s, t, i)
				dropped++
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	for i, k := start, 0; !expiredOnly && k < n && dropped < c.batch; k++ {
		if e := t.slots[i].Load(); e != nil && !e.tomb {
			c.drop(s, t, i)
			dropped++
		}
		if i++; i == n {
			i = 0
		}
	}
	return dropped
}

// drop clears slot i of t, s's table, and counts its entry out of the
// cache. The shard's mutex is held.
func (c *Cache[V]) drop(s *shard[V], t *table[V], i int) {
	if s.clear(t, i) {
		c.negs.Add(-1)
	}
	c.count.Add(-1)
}

// elsewhere runs evict on the other shards, each locked in turn, until one
// frees an entry; it reports whether one did. The caller holds except's
// lock, which elsewhere releases meanwhile.
func (c *Cache[V]) elsewhere(except *shard[V], now int64, expiredOnly bool) bool {
	except.mu.Unlock()
	defer except.mu.Lock()
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
