package rpcauth

import "sync"

// Latch keeps a stream's first failed recheck: the error the stream ends
// with, whatever its handler returns. Its zero value is ready; the
// stream's sends and receives may use it concurrently.
type Latch struct {
	mu     sync.Mutex
	failed error
}

// Failure returns the error latched, or nil.
func (l *Latch) Failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failed
}

// Fail latches fail(err) unless an error is latched already (fail, which
// may write the call's trailer, then does not run), and returns the
// error latched.
func (l *Latch) Fail(err error, fail func(error) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failed == nil {
		l.failed = fail(err)
	}
	return l.failed
}
