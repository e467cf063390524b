package oidcrsotel_test

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	oidcrsotel "github.com/oidcrs/oidcrs/otel"
)

type env struct {
	as     *oidcrstest.Server
	rs     *core.ResourceServer
	reader *sdkmetric.ManualReader
	spans  *tracetest.InMemoryExporter
	tp     *sdktrace.TracerProvider

	mu  sync.Mutex
	now time.Time // the resource server's clock
}

// clock returns the resource server's time.
func (e *env) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }

// advance moves the resource server's clock forward by d.
func (e *env) advance(d time.Duration) { e.mu.Lock(); e.now = e.now.Add(d); e.mu.Unlock() }

// start runs a resource server with the observer against a fake
// authorization server; edit adjusts its settings.
func start(t *testing.T, edit ...func(*core.Settings)) *env {
	t.Helper()
	e := &env{as: oidcrstest.Start(t, oidcrstest.Config{}), reader: sdkmetric.NewManualReader(), spans: tracetest.NewInMemoryExporter(),
		now: time.Now()}
	e.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(e.spans))
	obs, err := oidcrsotel.NewObserver(oidcrsotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(e.reader))),
		oidcrsotel.WithTracerProvider(e.tp))
	require.NoError(t, err)
	st := e.as.Settings("")
	st.LogInterval = time.Second
	for _, f := range edit {
		f(&st)
	}
	e.rs, err = core.New(st, core.WithObserver(obs), core.WithClock(e.clock))
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.rs.Close() })
	return e
}

func (e *env) auth(ctx context.Context, tok string) error {
	_, err := e.rs.Authenticate(ctx, []string{"Bearer " + tok})
	return err
}

// sumsByAttr reads every point as "name|attr=value,..." -> value (the
// count of a histogram, the last value of a gauge).
func (e *env) sumsByAttr(t *testing.T) map[string]int64 {
	var rm metricdata.ResourceMetrics
	require.NoError(t, e.reader.Collect(context.Background(), &rm))
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					out[m.Name+attrs(p.Attributes.ToSlice())] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					out[m.Name+attrs(p.Attributes.ToSlice())] += int64(p.Count)
					assert.Equal(t, []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, p.Bounds)
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					out[m.Name+attrs(p.Attributes.ToSlice())] = p.Value
				}
			}
		}
	}
	return out
}

func attrs(kvs []attribute.KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = string(kv.Key) + "=" + kv.Value.Emit()
	}
	return "|" + strings.Join(parts, ",")
}

func TestMetrics(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	good := e.as.Mint(nil)
	for range 5 {
		require.NoError(t, e.auth(ctx, good))
	}
	require.Error(t, e.auth(ctx, "revoked"))
	require.Error(t, e.auth(ctx, "revoked"))
	e.as.SetFault(&oidcrstest.FaultServerError)
	require.Error(t, e.auth(ctx, e.as.Mint(nil)))
	e.as.SetFault(nil)
	e.advance(time.Second) // no failure for the log interval: healthy at the next answer
	require.NoError(t, e.auth(ctx, e.as.Mint(nil)))

	got := e.sumsByAttr(t)
	assert.Equal(t, int64(6), got["oidcrs.requests|http.response.status_code=200,outcome=ok"])
	assert.Equal(t, int64(2), got["oidcrs.requests|http.response.status_code=401,outcome=invalid_token"])
	assert.Equal(t, int64(1), got["oidcrs.requests|http.response.status_code=503,outcome=unavailable"])
	assert.Equal(t, int64(5), got["oidcrs.cache.lookups|level=1,result=hit"], "4 good hits and 1 rejection hit")
	assert.Equal(t, int64(4), got["oidcrs.cache.lookups|level=1,result=miss"])
	assert.Equal(t, int64(3), got["oidcrs.as.call.duration|http.response.status_code=200,oidcrs.endpoint=introspection,oidcrs.outcome=ok"])
	assert.Equal(t, int64(1), got["oidcrs.as.call.duration|http.response.status_code=500,oidcrs.endpoint=introspection,oidcrs.outcome=status"])
	assert.Equal(t, int64(1), got["oidcrs.endpoint.healthy|endpoint=introspection"], "back to healthy")
}

func TestSpansAreChildrenAndCarryNoSecret(t *testing.T) {
	e := start(t)
	ctx, parent := e.tp.Tracer("test").Start(context.Background(), "GET /api/me")
	tok := e.as.Mint(map[string]any{"sub": "secret-subject-42"})
	require.NoError(t, e.auth(ctx, tok))
	require.Error(t, e.auth(ctx, "revoked-token-value"))
	parent.End()
	spans := e.spans.GetSpans()
	var calls int
	for _, s := range spans {
		if s.Name != "oidcrs introspection" {
			continue
		}
		calls++
		assert.Equal(t, trace.SpanKindClient, s.SpanKind)
		assert.Equal(t, parent.SpanContext().SpanID(), s.Parent.SpanID(), "a child of the request's span")
		var text []string
		for _, a := range s.Attributes {
			text = append(text, string(a.Key)+"="+a.Value.Emit())
		}
		all := strings.Join(text, " ")
		assert.Contains(t, all, "http.response.status_code=200")
		assert.Contains(t, all, "url.full="+e.as.IntrospectionURL())
		for _, secret := range []string{tok, "revoked-token-value", "secret-subject-42", oidcrstest.DefaultClientSecret,
			base64.RawURLEncoding.EncodeToString([]byte(tok))} {
			assert.NotContains(t, all, secret)
		}
	}
	assert.Equal(t, 2, calls)
}

// TestHealthyFromStart: the health gauge reads 1 for each endpoint the
// resource server calls before any request, and for no other; a failure
// then sets it to 0.
func TestHealthyFromStart(t *testing.T) {
	e := start(t)
	got := e.sumsByAttr(t)
	healthy := map[string]int64{}
	for k, v := range got {
		if strings.HasPrefix(k, "oidcrs.endpoint.healthy|") {
			healthy[k] = v
		}
	}
	assert.Equal(t, map[string]int64{
		"oidcrs.endpoint.healthy|endpoint=introspection": 1,
		// The client authentication method comes from the metadata.
		"oidcrs.endpoint.healthy|endpoint=discovery": 1,
	}, healthy, "before any request")

	e.as.SetFault(&oidcrstest.FaultServerError)
	require.Error(t, e.auth(context.Background(), e.as.Mint(nil)))
	assert.Equal(t, int64(0), e.sumsByAttr(t)["oidcrs.endpoint.healthy|endpoint=introspection"])
}

// TestStaleUses: each use of a verified answer past its cache TTL while
// the authorization server fails is counted, by level.
func TestStaleUses(t *testing.T) {
	e := start(t, func(s *core.Settings) { s.CacheTTL, s.CacheStaleIfError = time.Minute, 30*time.Second })
	ctx := context.Background()
	tok := e.as.Mint(nil)
	require.NoError(t, e.auth(ctx, tok))
	assert.NotContains(t, e.sumsByAttr(t), "oidcrs.cache.stale|level=1", "nothing stale yet")

	e.advance(time.Minute + time.Second) // past the TTL, within the stale window
	e.as.SetFault(&oidcrstest.FaultServerError)
	for range 2 {
		require.NoError(t, e.auth(ctx, tok), "the stale answer is used")
	}
	got := e.sumsByAttr(t)
	assert.Equal(t, int64(2), got["oidcrs.cache.stale|level=1"])
	assert.NotContains(t, got, "oidcrs.cache.stale|level=2", "no shared cache")
}
