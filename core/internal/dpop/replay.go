package dpop

import (
	"container/heap"
	"sync"
	"time"
)

// DefaultReplaySize is the number of live jti values a Replay remembers when
// NewReplay is given zero: about 1,600 proofs a second with a 60-second window.
const DefaultReplaySize = 100_000

// Replay remembers the jti of every accepted proof until that proof could no
// longer be accepted anyway (its iat plus the window), so that a second use is
// refused. It is bounded: when it holds max live entries, Add refuses (fail
// closed) rather than forgetting a jti that could then be replayed. It is safe
// for concurrent use.
type Replay struct {
	mu   sync.Mutex
	max  int
	seen map[[32]byte]int64 // key -> expiry, Unix nanoseconds
	byEx expiries
}

// NewReplay returns an empty cache of at most max entries (DefaultReplaySize
// when max is zero or negative).
func NewReplay(max int) *Replay {
	if max <= 0 {
		max = DefaultReplaySize
	}
	return &Replay{max: max, seen: make(map[[32]byte]int64)}
}

// Add records key until expires. It refuses with KindReplay when key is
// already recorded and has not expired at now, and with KindReplayFull when
// the cache is full of entries that have not expired.
func (r *Replay) Add(key [32]byte, expires, now time.Time) error {
	n, ex := now.UnixNano(), expires.UnixNano()
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.byEx) > 0 && r.byEx[0].at < n {
		e := heap.Pop(&r.byEx).(entry)
		if at, ok := r.seen[e.key]; ok && at == e.at {
			delete(r.seen, e.key)
		}
	}
	if at, ok := r.seen[key]; ok && at >= n {
		return refuse(KindReplay)
	}
	if len(r.seen) >= r.max {
		return refuse(KindReplayFull)
	}
	r.seen[key] = ex
	heap.Push(&r.byEx, entry{key: key, at: ex})
	return nil
}

// Len is the number of entries held, expired or not.
func (r *Replay) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

type entry struct {
	key [32]byte
	at  int64
}

// expiries is a min-heap of entries by expiry.
type expiries []entry

func (h expiries) Len() int           { return len(h) }
func (h expiries) Less(i, j int) bool { return h[i].at < h[j].at }
func (h expiries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiries) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *expiries) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
