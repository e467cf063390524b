package grpcrs_test

import (
	"context"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// The benchmarks compare a unary handler with and without the
// interceptor, every call a cache hit, so that CachedHit - Bare is what
// the adapter and core add per call, and CachedHit - Floor what is left
// once the context write any such interceptor pays is taken out. In process, no transport: the
// interceptor is called directly with the context a gRPC server would
// give it (the incoming metadata), as the HTTP adapters' benchmarks call
// ServeHTTP. The Bufconn pair measures the same through a whole gRPC
// client and server over an in-memory connection.

var (
	benchInfo  = &grpc.UnaryServerInfo{FullMethod: "/oidcrs.bench.Identity/WhoAmI"}
	benchReply = &message{Text: "ok"}
)

func benchContext() context.Context {
	return metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+adaptertest.BenchToken))
}

func bareHandler(context.Context, any) (any, error) { return benchReply, nil }

// bareCall is called as the interceptor calls its handler: through a
// variable, not inlined.
var bareCall grpc.UnaryHandler = bareHandler

// authHandler answers only when the interceptor put the token's TokenInfo
// in the context.
func authHandler(ctx context.Context, _ any) (any, error) {
	if ti, ok := grpcrs.TokenInfo(ctx); !ok || ti.Subject != oidcrstest.DefaultSubject {
		return nil, context.Canceled
	}
	return benchReply, nil
}

func BenchmarkBareGRPC(b *testing.B) {
	ctx := benchContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bareCall(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// floorKey is the context key of the floor interceptor's value.
type floorKey struct{}

// floorInterceptor only hands one value to the handler, the way the
// interceptor does: one context.WithValue.
func floorInterceptor(v *core.TokenInfo) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		return handler(context.WithValue(ctx, floorKey{}, v), req)
	}
}

// floorHandler answers only when the floor interceptor's value reached
// it.
func floorHandler(ctx context.Context, _ any) (any, error) {
	if ctx.Value(floorKey{}) == nil {
		return nil, context.Canceled
	}
	return benchReply, nil
}

// BenchmarkFloorGRPC is the bare handler behind an interceptor that only
// writes one value into the context: the least a unary interceptor
// handing a TokenInfo to its handler can do.
func BenchmarkFloorGRPC(b *testing.B) {
	ic, ctx := floorInterceptor(new(core.TokenInfo)), benchContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ic(ctx, nil, benchInfo, floorHandler); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCachedHitGRPC(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	ic, ctx := grpcrs.UnaryServerInterceptor(rs), benchContext()
	if _, err := ic(ctx, nil, benchInfo, authHandler); err != nil { // fills the cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ic(ctx, nil, benchInfo, authHandler); err != nil {
			b.Fatal(err)
		}
	}
	adaptertest.CheckOneIntrospection(b, as)
}

func BenchmarkCachedHitParallelGRPC(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	ic, ctx := grpcrs.UnaryServerInterceptor(rs), benchContext()
	if _, err := ic(ctx, nil, benchInfo, authHandler); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ic(ctx, nil, benchInfo, authHandler); err != nil {
				b.Error(err)
				return
			}
		}
	})
	adaptertest.CheckOneIntrospection(b, as)
}

// benchCalls makes unary calls of /oidcrs.test.Unary/me through a gRPC
// client and server on bufconn.
func benchCalls(b *testing.B, opts ...grpc.ServerOption) {
	conn := serve(b, false, testServices([]string{"/me"}, func(ctx context.Context) string {
		if ti, ok := grpcrs.TokenInfo(ctx); ok {
			return ti.Subject
		}
		return ""
	}), opts...)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+adaptertest.BenchToken)
	in := &message{Text: "hi"}
	var out message
	b.ReportAllocs()
	for b.Loop() {
		if err := conn.Invoke(ctx, unaryMethod("/me"), in, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareGRPCBufconn(b *testing.B) { benchCalls(b) }

func BenchmarkCachedHitGRPCBufconn(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	benchCalls(b, grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs)))
	adaptertest.CheckOneIntrospection(b, as)
}
