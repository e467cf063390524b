package vcache

import (
	"math/rand/v2"
	"slices"
	"time"
)

// SetNegative stores e, a negative entry, under key. Negative entries are
// the ones whose number a client chooses, such as rejections of tokens it
// made up: they are kept apart, so that a flood of them costs the cache
// nothing but their own places.
//   - At most a tenth of the cache's size (one at least) are negative;
//     past that, a new one takes the place of the oldest negative entry of
//     its shard (else of another shard). Negative entries that share a TTL
//     expire in that order.
//   - A negative entry never evicts a live positive one: in a cache full of
//     them it is not stored at all. It may take an expired entry's place.
//   - It replaces a negative entry with its key, and drops a positive one,
//     live or stale.
//
// A positive entry (Set) may evict negative ones, oldest first, before
// any live positive entry.
func (c *Cache[V]) SetNegative(key Key, e Entry[V], now time.Time) {
	c.set(&entry[V]{key: key, val: e.Val, expires: e.Expires.UnixNano(), neg: true}, now.UnixNano())
}

// negQueue is a shard's negative entries in the order they were stored,
// the oldest first. An entry dropped or replaced since stays in it, stale,
// until it is popped or the queue is compacted: every negative entry of the
// table is in it once, beside stale ones. It is used under the shard's
// mutex.
type negQueue[V any] struct {
	items []*entry[V] // items[head:] are queued
	head  int
}

// pushNegative queues e, a negative entry now in s's table. Before the
// queue grows it drops the stale entries and those already popped; it
// grows only when that frees less than half of it, so that a compaction's
// cost is shared by at least as many pushes as it kept entries, and the
// queue stays within four times the most negative entries s has held.
func (s *shard[V]) pushNegative(e *entry[V]) {
	if s.negq == nil {
		s.negq = new(negQueue[V])
	}
	q := s.negq
	if len(q.items) == cap(q.items) && len(q.items) > 0 {
		q.compact(s)
	}
	q.items = append(q.items, e)
}

// compact keeps the queued entries still in s's table, in order.
func (q *negQueue[V]) compact(s *shard[V]) {
	t := s.tab.Load()
	kept := q.items[:0]
	for _, e := range q.items[q.head:] {
		if t.holds(e) {
			kept = append(kept, e)
		}
	}
	clear(q.items[len(kept):])
	if len(kept) > cap(kept)/2 {
		kept = slices.Grow(kept, len(kept))
	}
	q.items, q.head = kept, 0
}

// pop removes and returns the oldest queued entry still in s's table, or
// nil when there is none.
func (q *negQueue[V]) pop(s *shard[V]) *entry[V] {
	t := s.tab.Load()
	for q.head < len(q.items) {
		e := q.items[q.head]
		q.items[q.head] = nil
		q.head++
		if t.holds(e) {
			return e
		}
	}
	q.items, q.head = q.items[:0], 0
	return nil
}

// holds reports whether e is in t: whether its key's slot holds e itself,
// not a newer entry for the key.
func (t *table[V]) holds(e *entry[V]) bool {
	if t == nil {
		return false
	}
	at, _ := t.find(&e.key)
	return at >= 0 && t.slots[at].Load() == e
}

// dropNegative frees the oldest negative entry of s, else of another shard
// (each locked in turn, s unlocked meanwhile, from a random one), and
// reports whether it freed one. s is locked on entry and on return.
func (c *Cache[V]) dropNegative(s *shard[V]) bool {
	if c.evictNegative(s) {
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
			dropped := c.evictNegative(o)
			o.mu.Unlock()
			if dropped {
				return true
			}
		}
		if i++; i == n {
			i = 0
		}
	}
	return false
}

// evictNegative drops the oldest negative entry of s, whose lock the
// caller holds, and reports whether there was one.
func (c *Cache[V]) evictNegative(s *shard[V]) bool {
	if s.neg == 0 {
		return false
	}
	e := s.negq.pop(s) // s.neg > 0: s has a queue
	if e == nil {
		return false
	}
	t := s.tab.Load()
	at, _ := t.find(&e.key)
	c.drop(s, t, at)
	return true
}
