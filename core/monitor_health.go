package core

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// health is one endpoint's state. An endpoint is down from a failure
// until a success once no failure has come for the monitor's settle time:
// a success between failures (one dead node of a Redis Cluster while the
// others answer, one bad instance behind a load balancer) does not end a
// degradation, so that it is one Warn, summaries, and one Info.
type health struct {
	m        *monitor
	endpoint Endpoint

	mu          sync.Mutex
	down        bool
	since       time.Time // when the state began
	lastFailure time.Time
	answered    time.Time // the first success since the last failure; zero before it
	lastSummary time.Time
	failures    int64 // over the outage
	succeeded   int64 // successful calls over the outage
	refused     int64 // requests answered 502/503 over the outage
	cachedBase  int64 // m.served at the outage's start: the cache-served requests are the difference
	sumFailures int64 // since the last summary
	sumOK       int64
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
// when an interval has passed. A cancelled call changes nothing: it is
// neither a failure nor a success of the endpoint.
func (h *health) record(ctx context.Context, outcome string) {
	if outcome == outcomeCanceled {
		return
	}
	now := h.m.now()
	h.mu.Lock()
	switch {
	case outcome == "ok" && !h.down:
		h.mu.Unlock()
	case outcome == "ok":
		h.recovered(ctx, now)
	case !h.down:
		h.failed(ctx, now, outcome)
	default:
		h.failedAgain(ctx, now, outcome)
	}
}

// recovered counts a success while down, and ends the outage once no
// failure has come for the settle time. The outage it reports lasted
// until the first of the successes that followed the last failure. Called
// with h.mu held; releases it.
func (h *health) recovered(ctx context.Context, now time.Time) {
	h.succeeded++
	h.sumOK++
	if h.answered.IsZero() {
		h.answered = now
	}
	if now.Sub(h.lastFailure) < h.m.settle {
		h.mu.Unlock()
		return
	}
	change := HealthChange{Endpoint: h.endpoint, Healthy: true, Outcome: "ok", Since: h.since,
		Failures: h.failures, Refused: h.refused, Cached: h.m.served.Sum() - h.cachedBase}
	outage, succeeded := h.answered.Sub(h.since), h.succeeded
	h.down, h.since = false, now
	h.m.down.Add(-1)
	h.mu.Unlock()
	h.m.logger.LogAttrs(ctx, slog.LevelInfo, "oidcrs: "+string(h.endpoint)+" is back",
		slog.String("outage", outage.Round(time.Millisecond).String()),
		slog.Int64("failed_calls", change.Failures), slog.Int64("succeeded_calls", succeeded),
		slog.Int64("requests_refused", change.Refused), slog.Int64("requests_from_cache", change.Cached))
	h.notify(ctx, change)
}

// failed starts an outage. Called with h.mu held; releases it.
func (h *health) failed(ctx context.Context, now time.Time, outcome string) {
	change := HealthChange{Endpoint: h.endpoint, Healthy: false, Outcome: outcome, Since: h.since}
	h.down, h.since, h.lastSummary, h.lastFailure, h.answered = true, now, now, now, time.Time{}
	served := h.m.served.Sum()
	h.failures, h.succeeded, h.refused, h.cachedBase = 1, 0, 0, served
	h.sumFailures, h.sumOK, h.sumRefused, h.sumCachedAt = 0, 0, 0, served
	h.m.down.Add(1)
	h.mu.Unlock()
	h.m.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: "+string(h.endpoint)+" is failing",
		slog.String("failure", outcome), slog.Time("since", now))
	h.notify(ctx, change)
}

// failedAgain counts a failure during an outage, and logs a summary when
// an interval has passed since the last. Called with h.mu held; releases
// it.
func (h *health) failedAgain(ctx context.Context, now time.Time, outcome string) {
	h.failures++
	h.sumFailures++
	h.lastFailure, h.answered = now, time.Time{}
	if now.Sub(h.lastSummary) < h.m.interval {
		h.mu.Unlock()
		return
	}
	served := h.m.served.Sum()
	f, ok, r, c, since := h.sumFailures, h.sumOK, h.sumRefused, served-h.sumCachedAt, h.since
	h.lastSummary, h.sumFailures, h.sumOK, h.sumRefused, h.sumCachedAt = now, 0, 0, 0, served
	h.mu.Unlock()
	h.m.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: "+string(h.endpoint)+" still failing",
		slog.String("failure", outcome), slog.Time("since", since), slog.String("interval", h.m.interval.String()),
		slog.Int64("failed_calls", f), slog.Int64("succeeded_calls", ok),
		slog.Int64("requests_refused", r), slog.Int64("requests_from_cache", c))
}

func (h *health) notify(ctx context.Context, c HealthChange) {
	if h.m.obs != nil && h.m.obs.Health != nil {
		h.m.obs.Health(ctx, c)
	}
}
