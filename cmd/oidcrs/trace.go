package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// trace records, through core.Observer, what a ResourceServer did for one
// decision: its cache lookups and its calls to the authorization server.
// It is how check and explain know, rather than guess, whether the AS was
// asked, what it answered, and whether a cache answered.
type trace struct {
	mu    sync.Mutex
	calls []call
	cache []cacheLookup
}

// call is one call to the authorization server and how it ended.
type call struct {
	Endpoint core.Endpoint `json:"endpoint"`
	URL      string        `json:"url"`
	Status   int           `json:"status"`
	Outcome  string        `json:"outcome"`
	Duration time.Duration `json:"-"`
}

// cacheLookup is one lookup in a cache level (1: this process, 2: shared).
type cacheLookup struct {
	Level int  `json:"level"`
	Hit   bool `json:"hit"`
}

// observer returns the core.Observer that fills tr.
func (tr *trace) observer() core.Observer {
	return core.Observer{
		Cache: func(_ context.Context, level int, hit bool) {
			tr.mu.Lock()
			tr.cache = append(tr.cache, cacheLookup{Level: level, Hit: hit})
			tr.mu.Unlock()
		},
		Call: func(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
			return ctx, func(r core.CallResult) {
				tr.mu.Lock()
				tr.calls = append(tr.calls, call{Endpoint: c.Endpoint, URL: c.URL, Status: r.Status, Outcome: r.Outcome, Duration: r.Duration})
				tr.mu.Unlock()
			}
		},
	}
}

// last returns the last call to ep, if any.
func (tr *trace) last(ep core.Endpoint) (call, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for i := len(tr.calls) - 1; i >= 0; i-- {
		if tr.calls[i].Endpoint == ep {
			return tr.calls[i], true
		}
	}
	return call{}, false
}

// String tells a call: "introspection http://as/introspect: 200 in 4ms",
// or how it failed without an answer.
func (c call) String() string {
	answer := fmt.Sprintf("%d", c.Status)
	if c.Status == 0 {
		answer = "no answer (" + c.Outcome + ")"
	}
	took := c.Duration.Round(time.Millisecond).String()
	if c.Duration < time.Millisecond {
		took = "<1ms"
	}
	return fmt.Sprintf("%s %s: %s in %s", c.Endpoint, c.URL, answer, took)
}

// snapshot returns copies of what was recorded.
func (tr *trace) snapshot() ([]call, []cacheLookup) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]call(nil), tr.calls...), append([]cacheLookup(nil), tr.cache...)
}

// describeCalls tells the calls, one per line.
func describeCalls(calls []call) string {
	var lines []string
	for _, c := range calls {
		lines = append(lines, c.String())
	}
	return strings.Join(lines, "\n")
}
