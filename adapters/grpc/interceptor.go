package grpcrs

import (
	"context"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/oidcrs/oidcrs/core"
)

// UnaryServerInterceptor returns an interceptor that authenticates each
// unary call with rs.AuthenticateRequest, given every value of the call's
// "authorization" and "dpop" metadata, then applies the method's scope rules. On
// success the handler gets the context carrying the TokenInfo (and the
// user, with a UserLookup hook). On failure the handler does not run: the
// call ends with the status of the package documentation's table and the
// challenge in the trailer. It panics on a nil rs, so that a wiring
// mistake shows at start-up rather than as a failure of every call.
func UnaryServerInterceptor(rs *core.ResourceServer, opts ...Option) grpc.UnaryServerInterceptor {
	cfg := newConfig(rs, "UnaryServerInterceptor", opts)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		out, err := cfg.Decide(ctx, info.FullMethod, request(ctx, info.FullMethod))
		if err != nil {
			return nil, fail(cfg.RS, err, func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) })
		}
		return handler(out, req)
	}
}

// StreamServerInterceptor returns an interceptor that authenticates each
// stream once, at its start, as UnaryServerInterceptor does a call; the
// handler's ss.Context() carries the TokenInfo. With RecheckStreams it
// decides again on every message. It panics on a nil rs.
func StreamServerInterceptor(rs *core.ResourceServer, opts ...Option) grpc.StreamServerInterceptor {
	cfg := newConfig(rs, "StreamServerInterceptor", opts)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		out, err := cfg.Decide(ss.Context(), info.FullMethod, request(ss.Context(), info.FullMethod))
		if err != nil {
			return fail(cfg.RS, err, ss.SetTrailer)
		}
		s := &stream{ServerStream: ss, ctx: out, cfg: cfg, method: info.FullMethod}
		err = handler(srv, s)
		if f := s.latch.Failure(); f != nil {
			return f
		}
		return err
	}
}

// request returns the core.Request of a call of method: every value of
// its "authorization" and "dpop" metadata, and, for a DPoP proof's htm and
// htu, POST and the method's path; for a certificate-bound token, the
// connection's TLS state.
func request(ctx context.Context, method string) func() core.Request {
	return func() core.Request {
		return core.Request{Method: http.MethodPost, Path: method,
			Authorization: metadata.ValueFromIncomingContext(ctx, "authorization"),
			DPoP:          metadata.ValueFromIncomingContext(ctx, "dpop"),
			TLS:           peerTLS(ctx)}
	}
}
