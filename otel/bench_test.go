package oidcrsotel_test

import (
	"context"
	"testing"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	oidcrsotel "github.com/oidcrs/oidcrs/otel"
)

// The cost of the observer on a cache hit, side by side: no observer, and
// the OpenTelemetry observer with the SDK's meter and tracer providers.
func benchHit(b *testing.B, observe bool) {
	as := oidcrstest.Start(b, oidcrstest.Config{})
	st := as.Settings("")
	st.CacheTTL = time.Hour
	var opts []core.Option
	if observe {
		obs, err := oidcrsotel.NewObserver(
			oidcrsotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))),
			oidcrsotel.WithTracerProvider(sdktrace.NewTracerProvider()))
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, core.WithObserver(obs))
	}
	rs, err := core.New(st, opts...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, hdr := context.Background(), []string{"Bearer " + as.Mint(nil)}
	if _, err := rs.Authenticate(ctx, hdr); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rs.Authenticate(ctx, hdr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHitNoObserver(b *testing.B)   { benchHit(b, false) }
func BenchmarkHitOTelObserver(b *testing.B) { benchHit(b, true) }
