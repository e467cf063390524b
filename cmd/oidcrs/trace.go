package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// trace records, through core.Observer, what a ResourceServer did for one
// decision: its cache lookups and its calls to the authorization server,
// so that check and explain know, rather than guess, what happened.
type trace struct {
	mu    sync.Mutex
	calls []call
	hits  []bool // one per cache lookup: whether it hit
}

// call is one call to the authorization server and how it ended.
type call struct {
	Endpoint core.Endpoint `json:"endpoint"`
	URL      string        `json:"url"`
	Status   int           `json:"status"`
	Outcome  string        `json:"outcome"`
	Duration time.Duration `json:"-"`
}

// observer returns the core.Observer that fills tr.
func (tr *trace) observer() core.Observer {
	return core.Observer{
		Cache: func(_ context.Context, _ int, hit bool) {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			tr.hits = append(tr.hits, hit)
		},
		Call: func(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
			return ctx, func(r core.CallResult) {
				tr.mu.Lock()
				defer tr.mu.Unlock()
				tr.calls = append(tr.calls, call{c.Endpoint, c.URL, r.Status, r.Outcome, r.Duration})
			}
		},
	}
}

// snapshot returns copies of the calls and cache lookups recorded.
func (tr *trace) snapshot() ([]call, []bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]call{}, tr.calls...), append([]bool(nil), tr.hits...)
}

// last returns the last call to ep, if any.
func (tr *trace) last(ep core.Endpoint) (call, bool) {
	calls, _ := tr.snapshot()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Endpoint == ep {
			return calls[i], true
		}
	}
	return call{}, false
}

// String tells a call: "introspection http://as/introspect: 200 in 4ms",
// or how it failed without an answer.
func (c call) String() string {
	answer, took := fmt.Sprint(c.Status), c.Duration.Round(time.Millisecond).String()
	if c.Status == 0 {
		answer = "no answer (" + c.Outcome + ")"
	}
	if c.Duration < time.Millisecond {
		took = "<1ms"
	}
	return fmt.Sprintf("%s %s: %s in %s", c.Endpoint, c.URL, answer, took)
}
