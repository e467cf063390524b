package core

import (
	"math/rand/v2"
	"sync/atomic"
)

// stripedCounter counts events from many goroutines at once without a
// shared cache line: each add lands on one of 16 stripes chosen at random
// (math/rand/v2's per-thread generator), and sum adds them up. It serves
// the count of requests answered from the cache during an outage, which
// every cache hit then makes: one counter, or a lock, would serialise the
// hits on all cores (BenchmarkVerifyParallelOutage).
type stripedCounter struct {
	stripes [16]struct {
		n atomic.Int64
		_ [56]byte // one stripe per 64-byte cache line
	}
}

func (c *stripedCounter) add() { c.stripes[rand.Uint32()&15].n.Add(1) }

func (c *stripedCounter) sum() int64 {
	var n int64
	for i := range c.stripes {
		n += c.stripes[i].n.Load()
	}
	return n
}
