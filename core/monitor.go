package core

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/stripe"
)

// monitor is where a ResourceServer reports what it does: to the Observer
// (metrics, traces) and, for the health of each endpoint, to the log: one
// Warn record when an endpoint starts failing, at most one Warn summary
// per Settings.LogInterval while it fails, one Info record when it is
// back. Per-request records stay at Debug, so that clients cannot choose
// the volume of Warn records.
type monitor struct {
	obs      *Observer // nil: none
	logger   *slog.Logger
	interval time.Duration
	now      func() time.Time // the ResourceServer's clock
	health   map[Endpoint]*health
	down     atomic.Int32   // endpoints failing now; counts cache-served requests while > 0
	served   stripe.Counter // requests served from the cache while an endpoint was down
}

func newMonitor(obs *Observer, logger *slog.Logger, interval time.Duration, now func() time.Time) *monitor {
	m := &monitor{obs: obs, logger: logger, interval: interval, now: now, health: map[Endpoint]*health{}}
	for _, ep := range []Endpoint{EndpointIntrospection, EndpointJWKS, EndpointDiscovery, EndpointSharedCache} {
		m.health[ep] = &health{m: m, endpoint: ep}
	}
	return m
}

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

// statusError is the cause of an unexpected HTTP status.
type statusError int

func (e statusError) Error() string { return "answered HTTP " + strconv.Itoa(int(e)) }

// endpointError names the endpoint whose call failed, in a cause's text
// ("jwks endpoint: request failed: ...") and for the monitor.
type endpointError struct {
	endpoint Endpoint
	err      error
}

func (e *endpointError) Error() string { return string(e.endpoint) + " endpoint: " + e.err.Error() }

func (e *endpointError) Unwrap() error { return e.err }

// atEndpoint marks err as a failure of a call to ep.
func atEndpoint(ep Endpoint, err error) error { return &endpointError{endpoint: ep, err: err} }

// endpointOf returns the endpoint that err names, if any.
func endpointOf(err error) (Endpoint, bool) {
	var e *endpointError
	if err == nil || !errors.As(err, &e) {
		return "", false
	}
	return e.endpoint, true
}

// outcomeOf classifies a call's end. A refusal of the token by the AS
// (invalid_token) is a working AS.
func outcomeOf(err error) string {
	switch {
	case err == nil || errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrInsufficientScope):
		return "ok"
	case errors.Is(err, ErrBadResponse):
		return "untrusted"
	case isStatusError(err):
		return "status"
	case errors.Is(err, errTimedOut):
		return "timeout"
	}
	return "refused"
}

// isStatusError is errors.As for a statusError, its target declared here
// so that outcomeOf's common case, a good answer, allocates nothing.
func isStatusError(err error) bool {
	var se statusError
	return errors.As(err, &se)
}

// decided reports the outcome of one Authenticate.
func (m *monitor) decided(ctx context.Context, err error) {
	if m == nil {
		return
	}
	if err != nil && m.down.Load() > 0 && (errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadResponse)) {
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

// health is one endpoint's state.
type health struct {
	m        *monitor
	endpoint Endpoint

	mu          sync.Mutex
	down        bool
	since       time.Time
	lastSummary time.Time
	failures    int64 // over the outage
	refused     int64 // requests answered 502/503 over the outage
	cachedBase  int64 // m.served at the outage's start: the cache-served requests are the difference
	sumFailures int64 // since the last summary
	sumRefused  int64
	sumCachedAt int64 // m.served at the last summary
}

func (h *health) refusedOne() {
	h.mu.Lock()
	if h.down {
		h.refused++
		h.sumRefused++
	}
	h.mu.Unlock()
}

// record updates the state after a call and logs a change, or a summary
// when an interval has passed.
func (h *health) record(ctx context.Context, outcome string) {
	now := h.m.now()
	h.mu.Lock()
	switch {
	case outcome == "ok" && !h.down:
		h.mu.Unlock()
		return
	case outcome == "ok":
		change := HealthChange{Endpoint: h.endpoint, Healthy: true, Outcome: outcome, Since: h.since,
			Failures: h.failures, Refused: h.refused, Cached: h.m.served.Sum() - h.cachedBase}
		h.down, h.since = false, now
		h.m.down.Add(-1)
		h.mu.Unlock()
		h.m.logger.LogAttrs(ctx, slog.LevelInfo, "oidcrs: "+string(h.endpoint)+" is back",
			slog.String("outage", now.Sub(change.Since).Round(time.Millisecond).String()),
			slog.Int64("failed_calls", change.Failures), slog.Int64("requests_refused", change.Refused),
			slog.Int64("requests_from_cache", change.Cached))
		h.notify(ctx, change)
	case !h.down:
		change := HealthChange{Endpoint: h.endpoint, Healthy: false, Outcome: outcome, Since: h.since}
		h.down, h.since, h.lastSummary = true, now, now
		served := h.m.served.Sum()
		h.failures, h.refused, h.cachedBase, h.sumFailures, h.sumRefused, h.sumCachedAt = 1, 0, served, 0, 0, served
		h.m.down.Add(1)
		h.mu.Unlock()
		h.m.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: "+string(h.endpoint)+" is failing",
			slog.String("failure", outcome), slog.Time("since", now))
		h.notify(ctx, change)
	default:
		h.failures++
		h.sumFailures++
		if now.Sub(h.lastSummary) < h.m.interval {
			h.mu.Unlock()
			return
		}
		served := h.m.served.Sum()
		f, r, c, since := h.sumFailures, h.sumRefused, served-h.sumCachedAt, h.since
		h.lastSummary, h.sumFailures, h.sumRefused, h.sumCachedAt = now, 0, 0, served
		h.mu.Unlock()
		h.m.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: "+string(h.endpoint)+" still failing",
			slog.String("failure", outcome), slog.Time("since", since), slog.String("interval", h.m.interval.String()),
			slog.Int64("failed_calls", f), slog.Int64("requests_refused", r), slog.Int64("requests_from_cache", c))
	}
}

func (h *health) notify(ctx context.Context, c HealthChange) {
	if h.m.obs != nil && h.m.obs.Health != nil {
		h.m.obs.Health(ctx, c)
	}
}
