package vcache

import (
	"testing"
	"time"
)

// BenchmarkGetHit is a hit on one of 1,000 live entries, the keys visited
// in turn: the lookup core's hit path makes.
func BenchmarkGetHit(b *testing.B) { benchGetHit(b, 0) }

// BenchmarkGetHitStaleWindow is BenchmarkGetHit with every entry kept for
// a stale window past its expiry: the hit must cost the same.
func BenchmarkGetHitStaleWindow(b *testing.B) { benchGetHit(b, time.Minute) }

func benchGetHit(b *testing.B, window time.Duration) {
	c := New[val](5000)
	now := time.Now()
	keys := make([]Key, 1000)
	for i := range keys {
		keys[i] = testKey(i)
		exp := now.Add(time.Hour)
		c.SetStale(keys[i], Entry[val]{Val: val{a: new(int)}, Expires: exp}, exp.Add(window), now)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := c.Get(keys[i], now); !ok {
			b.Fatal("miss")
		}
		if i++; i == len(keys) {
			i = 0
		}
	}
}

// BenchmarkSetNegativeFlood stores new negative entries into a cache of
// 5,000 holding 1,000 positive ones, its negative share full: each takes
// another negative entry's place.
func BenchmarkSetNegativeFlood(b *testing.B) {
	c := New[val](5000)
	now := time.Now()
	for i := range 1000 {
		c.Set(testKey(i), Entry[val]{Val: val{a: new(int)}, Expires: now.Add(time.Hour)}, now)
	}
	keys := make([]Key, 1<<16)
	for i := range keys {
		keys[i] = testKey(1000 + i)
	}
	e := Entry[val]{Val: val{a: new(int)}, Expires: now.Add(time.Hour)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.SetNegative(keys[i&(len(keys)-1)], e, now)
		i++
	}
}
