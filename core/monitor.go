package core

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/stripe"
)

// monitor is where a ResourceServer reports what it does: to the Observer
// (metrics, traces) and, for the health of each endpoint, to the log: one
// Warn record when an endpoint starts failing, at most one Warn summary
// per Settings.LogInterval while it fails, one Info record when it is
// back, once it has answered with no failure for the settle time.
// Per-request records stay at Debug, so that clients cannot choose the
// volume of Warn records.
type monitor struct {
	obs      *Observer // nil: none
	logger   *slog.Logger
	interval time.Duration
	// settle is how long an endpoint must go without a failure before a
	// success ends its outage: the log interval. Failures less than an
	// interval apart are then one degradation, whatever the traffic, so
	// that an endpoint's records stay about one per interval, as its
	// summaries do: a shorter time would let calls made seconds apart
	// (the key set's, refetched at most every 5 s; any endpoint's under
	// light traffic) flap between Warn and Info. The Info record and the
	// healthy state come that much after the first good answer; the
	// outage it reports ends at that answer.
	settle time.Duration
	now    func() time.Time // the ResourceServer's clock
	health map[Endpoint]*health
	down   atomic.Int32   // endpoints failing now; counts cache-served requests while > 0
	served stripe.Counter // requests served from the cache while an endpoint was down
}

func newMonitor(obs *Observer, logger *slog.Logger, interval time.Duration, now func() time.Time) *monitor {
	m := &monitor{obs: obs, logger: logger, interval: interval, settle: interval, now: now, health: map[Endpoint]*health{}}
	for _, ep := range monitoredEndpoints {
		m.health[ep] = &health{m: m, endpoint: ep}
	}
	return m
}

// monitoredEndpoints are the endpoints whose health the monitor follows.
var monitoredEndpoints = []Endpoint{EndpointIntrospection, EndpointJWKS, EndpointDiscovery, EndpointSharedCache}

func noEnd(CallResult) {}

// call reports a call about to be made; end reports how it ended, with the
// error it returned (nil, or one of ours) and the HTTP status (0 without).
// With track, end also records the endpoint's health; the introspection
// endpoint's is recorded by the caller, once the answer is read.
func (m *monitor) call(ctx context.Context, ep Endpoint, url string, track bool) (context.Context, func(status int, err error)) {
	if m == nil {
		return ctx, func(int, error) {}
	}
	start := m.now()
	done := noEnd
	if m.obs != nil && m.obs.Call != nil {
		ctx, done = m.obs.Call(ctx, Call{Endpoint: ep, URL: url})
		if done == nil {
			done = noEnd
		}
	}
	return ctx, func(status int, err error) {
		outcome := outcomeOf(err)
		done(CallResult{Duration: m.now().Sub(start), Status: status, Outcome: outcome})
		if track {
			m.health[ep].record(ctx, outcome)
		}
	}
}

// recordHealth records the outcome of a call to ep. A failure that another
// endpoint caused (discovery or the key set, met on the way to or from the
// introspection endpoint) is that endpoint's, which recorded it: ep's
// health stays as it was.
func (m *monitor) recordHealth(ctx context.Context, ep Endpoint, err error) {
	if m == nil {
		return
	}
	if other, ok := endpointOf(err); ok && other != ep {
		return
	}
	m.health[ep].record(ctx, outcomeOf(err))
}

// decided reports the outcome of one Authenticate.
func (m *monitor) decided(ctx context.Context, err error) {
	if m == nil {
		return
	}
	if err != nil && m.down.Load() > 0 && (errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadResponse)) &&
		!errors.Is(err, errClientGone) { // a client that left was not refused for the outage
		for _, h := range m.health {
			h.refusedOne()
		}
	}
	if m.obs == nil || m.obs.Decision == nil {
		return
	}
	d := Decision{Status: 200}
	var e *authError
	if errors.As(err, &e) {
		d.Status, d.Kind, d.Description = statusOf(e.kind), e.kind, e.desc
	} else if err != nil {
		d.Status = 500
	}
	m.obs.Decision(ctx, d)
}

// cache reports a cache lookup; a hit during an outage counts as a
// request served from the cache.
func (m *monitor) cache(ctx context.Context, level int, hit bool) {
	if m.obs == nil && m.down.Load() == 0 { // the hit path with nothing to report: no call
		return
	}
	m.cacheSlow(ctx, level, hit)
}

func (m *monitor) cacheSlow(ctx context.Context, level int, hit bool) {
	if hit && m.down.Load() > 0 {
		m.served.Add()
	}
	if m.obs != nil && m.obs.Cache != nil {
		m.obs.Cache(ctx, level, hit)
	}
}

// collapsed reports a request that joined a check under way.
func (m *monitor) collapsed(ctx context.Context) {
	if m != nil && m.obs != nil && m.obs.Collapsed != nil {
		m.obs.Collapsed(ctx)
	}
}
