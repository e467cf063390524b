package oidcrsotel

import (
	"context"
	"errors"
	"net/url"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/oidcrs/oidcrs/core"
)

// scope is the instrumentation scope of the meter and tracer.
const scope = "github.com/oidcrs/oidcrs/otel"

// Option configures NewObserver.
type Option func(*config)

type config struct {
	meters  metric.MeterProvider
	tracers trace.TracerProvider
}

// WithMeterProvider sets the meter provider. Default value: the global
// one (otel.GetMeterProvider).
func WithMeterProvider(p metric.MeterProvider) Option { return func(c *config) { c.meters = p } }

// WithTracerProvider sets the tracer provider. Default value: the global
// one (otel.GetTracerProvider).
func WithTracerProvider(p trace.TracerProvider) Option { return func(c *config) { c.tracers = p } }

type observer struct {
	tracer   trace.Tracer
	requests metric.Int64Counter
	lookups  metric.Int64Counter
	stale    metric.Int64Counter
	duration metric.Float64Histogram
	jwks     metric.Int64Counter
	joined   metric.Int64Counter
	healthy  metric.Int64Gauge

	// Attribute sets built once, so that a hit records without allocating.
	lookupOpts [3][2][]metric.AddOption // [level][hit]
	staleOpts  [3][]metric.AddOption    // [level]
	decisions  sync.Map                 // decisionKey -> []metric.AddOption
}

type decisionKey struct {
	status  int
	outcome string
}

// callBuckets span 1 ms to 10 s, in seconds.
var callBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewObserver returns a core.Observer recording OpenTelemetry metrics and
// spans; pass it to core.WithObserver.
func NewObserver(opts ...Option) (core.Observer, error) {
	cfg := config{meters: otel.GetMeterProvider(), tracers: otel.GetTracerProvider()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	m := cfg.meters.Meter(scope)
	o := &observer{tracer: cfg.tracers.Tracer(scope)}
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	o.requests, err = m.Int64Counter("oidcrs.requests", metric.WithUnit("{request}"),
		metric.WithDescription("Decisions on requests, by outcome and HTTP status."))
	add(err)
	o.lookups, err = m.Int64Counter("oidcrs.cache.lookups", metric.WithUnit("{lookup}"),
		metric.WithDescription("Verdict cache lookups, by level and result."))
	add(err)
	o.stale, err = m.Int64Counter("oidcrs.cache.stale", metric.WithUnit("{use}"),
		metric.WithDescription("Verified answers used past their cache TTL because the authorization server failed (stale-if-error), by level."))
	add(err)
	o.duration, err = m.Float64Histogram("oidcrs.as.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Calls to the authorization server and the shared cache."),
		metric.WithExplicitBucketBoundaries(callBuckets...))
	add(err)
	o.jwks, err = m.Int64Counter("oidcrs.jwks.fetches", metric.WithUnit("{fetch}"),
		metric.WithDescription("Fetches of the authorization server's signing keys, by outcome."))
	add(err)
	o.joined, err = m.Int64Counter("oidcrs.collapsed", metric.WithUnit("{request}"),
		metric.WithDescription("Requests that joined the check of the same token already under way."))
	add(err)
	o.healthy, err = m.Int64Gauge("oidcrs.endpoint.healthy", metric.WithUnit("{state}"),
		metric.WithDescription("1 while an endpoint works, 0 while it fails; from start-up for each endpoint the resource server calls."))
	add(err)
	if err := errors.Join(errs...); err != nil {
		return core.Observer{}, err
	}
	for level := 1; level <= 2; level++ {
		o.staleOpts[level] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.Int("level", level)))}
		for hit, result := range []string{"miss", "hit"} {
			o.lookupOpts[level][hit] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(
				attribute.Int("level", level), attribute.String("result", result)))}
		}
	}
	return core.Observer{Decision: o.decision, Cache: o.cache, Stale: o.staleUse, Call: o.call, Collapsed: o.collapsed, Health: o.health}, nil
}

// outcome names a decision: "ok", or the RFC 6750 code of a refusal.
func outcome(d core.Decision) string {
	switch d.Kind {
	case nil:
		return "ok"
	case core.ErrMissingToken:
		return "missing_token"
	case core.ErrInvalidRequest:
		return "invalid_request"
	case core.ErrInvalidToken:
		return "invalid_token"
	case core.ErrInsufficientScope:
		return "insufficient_scope"
	case core.ErrInsufficientUserAuthentication:
		return "insufficient_user_authentication"
	case core.ErrInvalidDPoPProof:
		return "invalid_dpop_proof"
	case core.ErrUnavailable:
		return "unavailable"
	case core.ErrBadResponse:
		return "bad_response"
	case core.ErrMisconfigured:
		return "misconfigured"
	}
	return "error"
}

func (o *observer) decision(ctx context.Context, d core.Decision) {
	k := decisionKey{d.Status, outcome(d)}
	opts, ok := o.decisions.Load(k)
	if !ok { // a small, fixed set of statuses and outcomes
		opts, _ = o.decisions.LoadOrStore(k, []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(
			attribute.String("outcome", k.outcome), semconv.HTTPResponseStatusCode(k.status)))})
	}
	o.requests.Add(ctx, 1, opts.([]metric.AddOption)...)
}

func (o *observer) cache(ctx context.Context, level int, hit bool) {
	if level < 1 || level > 2 {
		return
	}
	h := 0
	if hit {
		h = 1
	}
	o.lookups.Add(ctx, 1, o.lookupOpts[level][h]...)
}

func (o *observer) staleUse(ctx context.Context, level int) {
	if level < 1 || level > 2 {
		return
	}
	o.stale.Add(ctx, 1, o.staleOpts[level]...)
}

func (o *observer) collapsed(ctx context.Context) { o.joined.Add(ctx, 1) }

func (o *observer) health(ctx context.Context, h core.HealthChange) {
	v := int64(0)
	if h.Healthy {
		v = 1
	}
	o.healthy.Record(ctx, v, metric.WithAttributes(attribute.String("endpoint", string(h.Endpoint))))
}

// call starts a client span, a child of the request's, and records the
// call's duration when it ends.
func (o *observer) call(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
	attrs := []attribute.KeyValue{attribute.String("oidcrs.endpoint", string(c.Endpoint))}
	if u, err := url.Parse(c.URL); err == nil && c.URL != "" {
		u.User, u.RawQuery, u.Fragment = nil, "", ""
		attrs = append(attrs, semconv.URLFull(u.String()), semconv.ServerAddress(u.Hostname()),
			semconv.HTTPRequestMethodKey.String(methodOf(c.Endpoint)))
	}
	ctx, span := o.tracer.Start(ctx, "oidcrs "+string(c.Endpoint), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	return ctx, func(r core.CallResult) {
		end := []attribute.KeyValue{attribute.String("oidcrs.endpoint", string(c.Endpoint)),
			attribute.String("oidcrs.outcome", r.Outcome)}
		if r.Status != 0 {
			end = append(end, semconv.HTTPResponseStatusCode(r.Status))
			span.SetAttributes(semconv.HTTPResponseStatusCode(r.Status))
		}
		if r.Outcome != "ok" {
			span.SetAttributes(semconv.ErrorTypeKey.String(r.Outcome))
			span.SetStatus(codes.Error, r.Outcome)
		}
		span.End()
		o.duration.Record(ctx, r.Duration.Seconds(), metric.WithAttributes(end...))
		if c.Endpoint == core.EndpointJWKS {
			o.jwks.Add(ctx, 1, metric.WithAttributes(attribute.String("oidcrs.outcome", r.Outcome)))
		}
	}
}

func methodOf(ep core.Endpoint) string {
	if ep == core.EndpointIntrospection {
		return "POST"
	}
	return "GET"
}
