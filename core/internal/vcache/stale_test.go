package vcache

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setStale stores a positive entry expiring at exp, kept until stale.
func setStale(c *testCache, k Key, exp, stale, now time.Time) {
	c.SetStale(k, entryAt(exp), stale, now)
}

// TestStaleEntryIsNoHit: past its expiry an entry kept for a stale window
// is no longer a hit, but GetStale returns it until the window ends, in
// whole seconds rounded down.
func TestStaleEntryIsNoHit(t *testing.T) {
	c := New[val](100)
	now := time.Now()
	exp := now.Add(time.Minute)
	setStale(c, testKey(1), exp, exp.Add(10*time.Second+500*time.Millisecond), now)
	c.Set(testKey(2), entryAt(exp), now) // no window

	for _, tc := range []struct {
		name     string
		at       time.Time
		hit, old bool
	}{
		{"before expiry", exp.Add(-time.Nanosecond), true, true},
		{"at expiry", exp, false, true},
		{"inside the window", exp.Add(9 * time.Second), false, true},
		{"the rounded-down end", exp.Add(10 * time.Second), false, false},
	} {
		_, hit := c.Get(testKey(1), tc.at)
		e, old := c.GetStale(testKey(1), tc.at)
		assert.Equal(t, tc.hit, hit, "%s: Get", tc.name)
		require.Equal(t, tc.old, old, "%s: GetStale", tc.name)
		if old {
			assert.True(t, e.Expires.Equal(exp), "%s: Expires %v", tc.name, e.Expires)
		}
	}
	_, old := c.GetStale(testKey(2), exp)
	assert.False(t, old, "an entry without a window is gone at its expiry")
	_, old = c.GetStale(testKey(3), now)
	assert.False(t, old, "no entry")
}

// TestStaleNeverNegativeNorRemoved: GetStale returns no negative entry, and
// nothing after Remove or after a negative entry took the key.
func TestStaleNeverNegativeNorRemoved(t *testing.T) {
	c := New[val](100)
	now := time.Now()
	exp, window := now.Add(time.Minute), now.Add(time.Hour)
	c.SetNegative(testKey(1), entryAt(exp), now)
	setStale(c, testKey(2), exp, window, now)
	setStale(c, testKey(3), exp, window, now)
	later := exp.Add(time.Second)
	_, ok := c.GetStale(testKey(1), now)
	assert.False(t, ok, "a negative entry")
	_, ok = c.GetStale(testKey(2), later)
	require.True(t, ok)
	c.Remove(testKey(2))
	_, ok = c.GetStale(testKey(2), later)
	assert.False(t, ok, "removed")
	c.SetNegative(testKey(3), entryAt(later.Add(time.Second)), later)
	_, ok = c.GetStale(testKey(3), later)
	assert.False(t, ok, "a rejection took its place")
	checkCounts(t, c)
}

// TestStaleEntriesEvictedAfterDeadOnesBeforeLiveOnes: an entry in its
// stale window is not expired for the search that frees expired entries,
// but a positive entry that needs room frees stale entries before live
// ones.
func TestStaleEntriesEvictedAfterDeadOnesBeforeLiveOnes(t *testing.T) {
	c, s := oneShard(60)
	c.batch = 5
	now := time.Now()
	past := now.Add(-time.Second)
	for i := range 60 {
		switch i % 3 {
		case 0: // dead
			c.Set(testKey(i), entryAt(past), now)
		case 1: // stale
			setStale(c, testKey(i), past, now.Add(time.Hour), now)
		default: // live
			c.Set(testKey(i), entryAt(now.Add(time.Hour)), now)
		}
	}
	s.mu.Lock()
	for c.evict(s, now.UnixNano(), true) > 0 {
	}
	s.mu.Unlock()
	assert.Equal(t, 40, s.live, "the dead entries alone are expired")
	for i := range 60 {
		_, ok := c.GetStale(testKey(i), now)
		assert.Equal(t, i%3 != 0, ok, "entry %d", i)
	}
	s.mu.Lock()
	require.Equal(t, 20, c.evict(s, now.UnixNano(), false), "every stale entry it met, a batch at least")
	s.mu.Unlock()
	for i := range 60 {
		_, ok := c.Get(testKey(i), now)
		require.Equal(t, i%3 == 2, ok, "entry %d: the stale ones go first, every live one stays", i)
	}
	checkTable(t, s)
}
