package core

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// flight collapses concurrent calls with the same key into one, in the
// manner of golang.org/x/sync/singleflight, with one difference that
// matters here: the shared call runs detached from every caller's context,
// so one caller's cancellation or deadline does not fail the others. The
// function must bound its own running time. A panic in the function is
// recovered in the detached goroutine (where it would crash the process)
// and raised again in every caller still waiting, as it would have been
// without the group.
type flight[K comparable, V any] struct {
	mu    sync.Mutex
	calls map[K]*flightCall[V]
}

type flightCall[V any] struct {
	done  chan struct{}
	val   V
	err   error
	panic *flightPanic
}

// flightPanic carries a recovered panic and the stack of the goroutine that
// panicked to the callers.
type flightPanic struct {
	value any
	stack []byte
}

func (p *flightPanic) Error() string { return fmt.Sprintf("%v\n\n%s", p.value, p.stack) }

// do runs fn once for all concurrent callers of key and returns its
// result, or ctx's error if ctx ends first.
func (f *flight[K, V]) do(ctx context.Context, key K, fn func(context.Context) (V, error)) (V, error) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = make(map[K]*flightCall[V])
	}
	c, ok := f.calls[key]
	if !ok {
		c = &flightCall[V]{done: make(chan struct{})}
		f.calls[key] = c
		go f.run(context.WithoutCancel(ctx), key, c, fn)
	}
	f.mu.Unlock()
	select {
	case <-c.done:
		if c.panic != nil {
			panic(c.panic)
		}
		return c.val, c.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

func (f *flight[K, V]) run(ctx context.Context, key K, c *flightCall[V], fn func(context.Context) (V, error)) {
	defer func() {
		if p := recover(); p != nil {
			c.panic = &flightPanic{value: p, stack: debug.Stack()}
		}
		f.mu.Lock()
		delete(f.calls, key)
		f.mu.Unlock()
		close(c.done)
	}()
	c.val, c.err = fn(ctx)
}
