package app

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/otlptranslator"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/oidcrs/oidcrs/core"
	oidcrsotel "github.com/oidcrs/oidcrs/otel"
)

// metrics is the wiring of METRICS=1: the oidcrs observer records into an
// OpenTelemetry meter provider, which OTel's Prometheus exporter reads, on
// each scrape, into a registry of its own that handler serves.
type metrics struct {
	observer core.Observer
	provider *sdkmetric.MeterProvider
	handler  http.Handler
}

// newMetrics returns the metrics with METRICS set to a true value (1,
// true), nil when it is unset or false, and an error naming METRICS for
// another value.
func newMetrics(lookup core.LookupFunc) (*metrics, error) {
	v, _ := lookup("METRICS")
	if v == "" {
		return nil, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fmt.Errorf("METRICS: %q is not 1 or 0", v)
	}
	if !on {
		return nil, nil
	}
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg),
		// oidcrs.requests becomes oidcrs_requests_total, and so on.
		otelprom.WithTranslationStrategy(otlptranslator.UnderscoreEscapingWithSuffixes))
	if err != nil {
		return nil, fmt.Errorf("METRICS: %w", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
	obs, err := oidcrsotel.NewObserver(oidcrsotel.WithMeterProvider(mp))
	if err != nil {
		_ = mp.Shutdown(context.Background())
		return nil, fmt.Errorf("METRICS: %w", err)
	}
	return &metrics{observer: obs, provider: mp, handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}, nil
}

// wrap answers GET (and HEAD) /metrics with the metrics, and every other
// request with h; without metrics it returns h. The metrics hold no token,
// secret or claim, but they describe the traffic and the authorization server: in production,
// serve them on an internal listener.
func (m *metrics) wrap(h http.Handler) http.Handler {
	if m == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			m.handler.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// close shuts the meter provider down; it does nothing on nil.
func (m *metrics) close() {
	if m == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = m.provider.Shutdown(ctx)
}
