// Package flight collapses concurrent calls with the same key into one.
package flight

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// Group collapses concurrent calls with the same key into one, in the
// manner of golang.org/x/sync/singleflight. The first caller of a key runs
// the function itself, on its own goroutine (no goroutine is started: a
// hand-off costs more than many introspections), with a context detached
// from its cancellation, so that its hanging up does not fail the callers
// that joined it. It cannot leave before the function returns (the
// function bounds its own running time); it then gets its context's error
// if that context ended meanwhile. The callers that join wait for the
// result or leave early when their own context ends. A panic in the
// function is recovered, released to the joined callers, and raised again
// in each caller, as it would have been without the group.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*call[V]
}

type call[V any] struct {
	done  chan struct{}
	val   V
	err   error
	panic *panicked
}

// panicked carries a recovered panic and the stack of the goroutine that
// panicked to the callers.
type panicked struct {
	value any
	stack []byte
}

func (p *panicked) Error() string { return fmt.Sprintf("%v\n\n%s", p.value, p.stack) }

// Do runs fn once for all concurrent callers of key and returns its
// result, or ctx's error if ctx ends first; joined says that this caller
// waited for another's call.
func (f *Group[K, V]) Do(ctx context.Context, key K, fn func(context.Context) (V, error)) (_ V, _ error, joined bool) {
	var zero V
	f.mu.Lock()
	if f.calls == nil {
		f.calls = make(map[K]*call[V])
	}
	if c, ok := f.calls[key]; ok {
		f.mu.Unlock()
		select {
		case <-c.done:
			if c.panic != nil {
				panic(c.panic)
			}
			return c.val, c.err, true
		case <-ctx.Done():
			return zero, ctx.Err(), true
		}
	}
	c := &call[V]{done: make(chan struct{})}
	f.calls[key] = c
	f.mu.Unlock()
	f.run(context.WithoutCancel(ctx), key, c, fn)
	if c.panic != nil {
		panic(c.panic)
	}
	if err := ctx.Err(); err != nil {
		return zero, err, false
	}
	return c.val, c.err, false
}

func (f *Group[K, V]) run(ctx context.Context, key K, c *call[V], fn func(context.Context) (V, error)) {
	defer func() {
		if p := recover(); p != nil {
			c.panic = &panicked{value: p, stack: debug.Stack()}
		}
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn(ctx)
}
