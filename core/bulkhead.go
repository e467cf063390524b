package core

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// The client-facing descriptions of a request refused without asking the
// authorization server. Fixed strings, like those of descriptions.go.
const (
	descCallLimit = "Too many calls to the authorization server are under way."
	descASPaused  = "The authorization server asked for a pause."
)

// callGate is what every call to the authorization server passes first,
// one per ResourceServer: the endpoints' pauses (see pauses), then the
// bulkhead, which bounds the calls in flight at once, introspection, JWKS
// and discovery alike, to Settings.MaxConcurrentCalls. A call beyond that
// waits in a queue of queueFactor times as many places, no longer than
// its context and OIDC_TIMEOUT; past the queue, or when the wait ends, the
// request is refused with 503 and Retry-After: 1. Only the calls
// themselves pass it: cached verdicts never wait, and the concurrent
// requests of one token share one call, whose leader alone enters.
type callGate struct {
	slots  chan struct{} // one per call in flight
	queue  chan struct{} // one per call waiting for a slot
	pauses pauses
	now    func() time.Time
	logger *slog.Logger
	every  time.Duration // at most one Warn about refusals per interval

	mu       sync.Mutex
	refused  int64     // refusals since the last Warn
	lastWarn time.Time // zero: never
}

// queueFactor sizes the queue: the place at its back waits for about
// queueFactor calls, one after the other (the slots empty together), so
// every waiter is served within OIDC_TIMEOUT while the authorization
// server answers within a quarter of it (750 ms by default); a slower
// server would time the extra waiters out anyway. A burst of new tokens
// five times the limit is answered; a flood beyond it is refused in
// microseconds instead of piling up requests that would time out.
const queueFactor = 4

func newCallGate(max int, now func() time.Time, logger *slog.Logger, every time.Duration) *callGate {
	return &callGate{slots: make(chan struct{}, max), queue: make(chan struct{}, max*queueFactor),
		pauses: pauses{m: map[string]time.Time{}, now: now, logger: logger}, now: now, logger: logger, every: every}
}

// notAskedError is the cause of a request refused before its call: the
// authorization server was not asked, so its health is not at stake.
type notAskedError struct {
	endpoint Endpoint
	why      string
}

func (e *notAskedError) Error() string {
	return string(e.endpoint) + " endpoint not called: " + e.why
}

// notAsked reports whether err is a refusal of the gate: a call that was
// never made is neither a failure nor a success of its endpoint.
func notAsked(err error) bool {
	var e *notAskedError
	return err != nil && errors.As(err, &e)
}

// enter waits for the right to call u, an endpoint of kind ep, for at most
// wait or until ctx ends. It returns the function that ends the call, or
// a 503 error with Retry-After that names no AS failure (see notAsked).
func (g *callGate) enter(ctx context.Context, ep Endpoint, u string, wait time.Duration) (func(), error) {
	if err := g.pauses.check(ep, u); err != nil {
		return nil, err
	}
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	default:
	}
	select {
	case g.queue <- struct{}{}:
	default:
		return nil, g.refuse(ctx, ep, "the call limit is reached and its queue is full")
	}
	defer func() { <-g.queue }()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.leave, nil
	case <-ctx.Done():
		return nil, g.refuse(ctx, ep, "the request's context ended while it waited for the call limit")
	case <-t.C:
		return nil, g.refuse(ctx, ep, "OIDC_TIMEOUT passed while the call waited for the call limit")
	}
}

func (g *callGate) leave() { <-g.slots }

// refuse counts a refusal and logs a Warn about them at most once per
// interval: clients choose their volume, so they are not logged one by
// one above Debug (the request's rejection is, with its cause).
func (g *callGate) refuse(ctx context.Context, ep Endpoint, why string) error {
	now := g.now()
	g.mu.Lock()
	g.refused++
	n, warn := g.refused, g.lastWarn.IsZero() || now.Sub(g.lastWarn) >= g.every
	if warn {
		g.refused, g.lastWarn = 0, now
	}
	g.mu.Unlock()
	if warn {
		g.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: requests refused: too many calls to the authorization server under way (OIDC_RS_MAX_CONCURRENT_CALLS)",
			slog.Int("limit", cap(g.slots)), slog.Int64("refused", n))
	}
	e := newError(ErrUnavailable, descCallLimit, &notAskedError{endpoint: ep, why: why})
	e.retryAfter = "1"
	return e
}

// answered reads the end of a call to u: a 429 or 503 whose Retry-After
// passed our checks pauses u (see pauses.start).
func (g *callGate) answered(ctx context.Context, ep Endpoint, u string, status int, err error) {
	if status != 429 && status != 503 {
		return
	}
	var e *authError
	if errors.As(err, &e) && e.retryAfter != "" {
		g.pauses.start(ctx, ep, u, status, e.retryAfter)
	}
}

// secondsUntil is a Retry-After for a wait of d: whole seconds, at least 1.
func secondsUntil(d time.Duration) string {
	return strconv.FormatInt(max(int64((d+time.Second-1)/time.Second), 1), 10)
}
