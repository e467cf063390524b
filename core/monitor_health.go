package core

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

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
