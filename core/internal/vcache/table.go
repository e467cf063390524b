package vcache

import (
	"encoding/binary"
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// table is one shard's open-addressing hash table with linear probing. Its
// slots are atomic pointers to immutable entries, so that a lookup needs
// no lock: it loads slots until it meets its key or an empty slot. The
// shard's writers, one at a time under its mutex, store into the slots of
// the current table; when it runs out of empty slots they build a new one
// and swap it in, leaving the old one to the readers still on it.
//
// What a reader can rely on, with writers running:
//   - An entry is compared on its whole key, so a lookup never returns
//     another key's entry.
//   - Within a table a slot never goes from an entry back to empty while a
//     key after it on a probe sequence is present (removal leaves a
//     tombstone, see clear), so a key is found wherever its lookup starts.
//   - A reader on a table already replaced may miss, or see an entry
//     removed since it loaded the table: a get concurrent with the set or
//     remove. A get that starts after remove returned loads the current
//     table, which no longer holds the entry.
type table[V any] struct {
	slots []atomic.Pointer[entry[V]] // len >= minTableSlots, some always nil
}

// entry is one stored value, never written once published.
type entry[V any] struct {
	key     Key
	val     V
	expires int64  // unix nanoseconds
	stale   uint32 // whole seconds past expires it is kept for: see GetStale
	neg     bool   // a negative entry: see SetNegative
	tomb    bool   // a removed entry's place: see tombstone
}

// until is when e may be dropped as expired: its expiry, or the end of
// its stale window.
func (e *entry[V]) until() int64 { return e.expires + int64(e.stale)*int64(time.Second) }

// tombstone returns s's entry that fills the slot of a removed entry:
// lookups go on past it. It expires at the earliest time, so that it is
// never live even for the all-zero key it carries. The shard's mutex is
// held.
func (s *shard[V]) tombstone() *entry[V] {
	if s.tomb == nil {
		s.tomb = &entry[V]{expires: math.MinInt64, tomb: true}
	}
	return s.tomb
}

const (
	minTableSlots = 8
	// A table takes entries and tombstones up to 3/4 of its slots, and is
	// rebuilt half full: between 1.33 and 2 slots (8 bytes each) per entry.
	maxLoadNum, maxLoadDen = 3, 4
)

// home is key's first slot among n. Keys are pseudo-random (a keyed
// AES-CMAC tag in bytes 0-15, or SHA-256 XOR a fingerprint), uniformly
// distributed: their bytes 8-15 (byte 0 picks the shard) are mapped onto
// [0, n) by a multiplication.
func home(k *Key, n int) int {
	hi, _ := bits.Mul64(binary.LittleEndian.Uint64(k[8:16]), uint64(n))
	return int(hi)
}

// sameKey compares two keys in four words, without the call to
// runtime.memequal that comparing the arrays compiles to.
func sameKey(a, b *Key) bool {
	le := binary.LittleEndian
	return le.Uint64(a[8:]) == le.Uint64(b[8:]) && le.Uint64(a[0:]) == le.Uint64(b[0:]) &&
		le.Uint64(a[16:]) == le.Uint64(b[16:]) && le.Uint64(a[24:]) == le.Uint64(b[24:])
}

// lookup returns key's entry, or nil. It takes no lock and does not
// allocate.
func (t *table[V]) lookup(k *Key) *entry[V] {
	slots := t.slots
	for i := home(k, len(slots)); ; {
		e := slots[i].Load()
		if e == nil {
			return nil
		}
		if sameKey(&e.key, k) && !e.tomb {
			return e
		}
		if i++; i == len(slots) {
			i = 0
		}
	}
}

// find returns key's slot, or -1, and the first slot a new entry for key
// may take: the first tombstone on its probe sequence, else the empty slot
// that ends it. The shard's mutex is held.
func (t *table[V]) find(k *Key) (at, free int) {
	slots := t.slots
	free = -1
	for i := home(k, len(slots)); ; {
		e := slots[i].Load()
		switch {
		case e == nil:
			if free < 0 {
				free = i
			}
			return -1, free
		case e.tomb:
			if free < 0 {
				free = i
			}
		case sameKey(&e.key, k):
			return i, free
		}
		if i++; i == len(slots) {
			i = 0
		}
	}
}

// insert adds me, whose key s does not hold, rebuilding the table first
// when me would take the last empty slot it may use. The shard's mutex
// is held.
func (s *shard[V]) insert(me *entry[V]) {
	t := s.tab.Load()
	free := -1
	if t != nil {
		_, free = t.find(&me.key)
		if t.slots[free].Load() == nil && s.used >= len(t.slots)*maxLoadNum/maxLoadDen {
			free = -1 // an empty slot past the load bound: rebuild
		}
	}
	if free < 0 {
		t = s.rebuild(s.live + 1)
		_, free = t.find(&me.key)
	}
	if t.slots[free].Load() == nil { // else a tombstone's slot, already used
		s.used++
	}
	t.slots[free].Store(me)
	s.live++
	if me.neg {
		s.neg++
		s.pushNegative(me)
	}
}

// rebuild swaps in a table of s's live entries, without tombstones, with
// room for need entries at half its slots: it grows a full table by half
// and shrinks one that eviction emptied. Readers still on the old table
// find what it held when it was replaced.
func (s *shard[V]) rebuild(need int) *table[V] {
	t := &table[V]{slots: make([]atomic.Pointer[entry[V]], max(minTableSlots, 2*need))}
	if old := s.tab.Load(); old != nil {
		for i := range old.slots {
			if e := old.slots[i].Load(); e != nil && !e.tomb {
				_, free := t.find(&e.key)
				t.slots[free].Store(e)
			}
		}
	}
	s.tab.Store(t)
	s.used = s.live
	return t
}

// clear removes the entry in slot i of t, s's table, and reports whether
// it was negative. The slot becomes a tombstone, unless the next slot is
// empty: then no probe sequence goes through it to a present key, and it
// empties, with the tombstones just before it. The shard's mutex is held;
// the caller counts the entry out of the cache (see drop).
func (s *shard[V]) clear(t *table[V], i int) (neg bool) {
	n := len(t.slots)
	neg = t.slots[i].Load().neg
	s.live--
	if neg {
		s.neg--
	}
	if t.slots[(i+1)%n].Load() != nil {
		t.slots[i].Store(s.tombstone())
		return neg
	}
	for {
		t.slots[i].Store(nil)
		s.used--
		i = (i + n - 1) % n
		if e := t.slots[i].Load(); e == nil || !e.tomb {
			return neg
		}
	}
}
