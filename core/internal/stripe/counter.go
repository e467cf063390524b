// Package stripe counts events from many goroutines at once.
package stripe

import (
	"math/rand/v2"
	"sync/atomic"
)

// Counter counts events from many goroutines at once without a
// shared cache line: each add lands on one of 16 stripes chosen at random
// (math/rand/v2's per-thread generator), and sum adds them up. It serves
// the count of requests answered from the cache during an outage, which
// every cache hit then makes: one counter, or a lock, would serialise the
// hits on all cores (BenchmarkVerifyParallelOutage).
type Counter struct {
	stripes [16]struct {
		n atomic.Int64
		_ [56]byte // one stripe per 64-byte cache line
	}
}

// Add counts one event.
func (c *Counter) Add() { c.stripes[rand.Uint32()&15].n.Add(1) }

// Sum returns the events counted so far.
func (c *Counter) Sum() int64 {
	var n int64
	for i := range c.stripes {
		n += c.stripes[i].n.Load()
	}
	return n
}
