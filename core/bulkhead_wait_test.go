package core

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// TestCallLimitWaitEnds: a call waiting for the limit gives up when its
// context ends or when its wait (OIDC_TIMEOUT) passes, with 503 and
// Retry-After, and frees its place in the queue.
func TestCallLimitWaitEnds(t *testing.T) {
	g := newCallGate(1, time.Now, slog.New(slog.DiscardHandler), time.Minute)
	leave, err := g.enter(context.Background(), EndpointIntrospection, "u", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, c := range map[string]struct {
		ctx  context.Context
		wait time.Duration
	}{"context ended": {ctx, time.Hour}, "wait passed": {context.Background(), time.Millisecond}} {
		_, err := g.enter(c.ctx, EndpointJWKS, "u", c.wait)
		var e *authError
		if !errors.As(err, &e) || !errors.Is(err, ErrUnavailable) || e.retryAfter != "1" || !notAsked(err) {
			t.Errorf("%s: got %v, want a 503 with Retry-After: 1 that asked nothing", name, err)
		}
		if n := len(g.queue); n != 0 {
			t.Errorf("%s: %d places of the queue still taken", name, n)
		}
	}
}
