package grpcrs

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/oidcrs/oidcrs/core"
)

// UnaryServerInterceptor returns an interceptor that authenticates each
// unary call with rs.Authenticate, given every value of the call's
// "authorization" metadata, then applies the method's scope rules. On
// success the handler gets the context carrying the TokenInfo (and the
// user, with a UserLookup hook). On failure the handler does not run: the
// call ends with the status of the package documentation's table and the
// challenge in the trailer. It panics on a nil rs, so that a wiring
// mistake shows at start-up rather than as a failure of every call.
func UnaryServerInterceptor(rs *core.ResourceServer, opts ...Option) grpc.UnaryServerInterceptor {
	cfg := newConfig(rs, "UnaryServerInterceptor", opts)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		out, err := cfg.decide(ctx, info.FullMethod)
		if err != nil {
			return nil, cfg.fail(err, func(md metadata.MD) { _ = grpc.SetTrailer(ctx, md) })
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
		out, err := cfg.decide(ss.Context(), info.FullMethod)
		if err != nil {
			return cfg.fail(err, ss.SetTrailer)
		}
		s := &stream{ServerStream: ss, ctx: out, cfg: cfg, method: info.FullMethod}
		err = handler(srv, s)
		if f := s.failure(); f != nil {
			return f
		}
		return err
	}
}

// decide is the whole decision for one call of method: the skipper or
// Authenticate (optional mode letting an anonymous call on), then the
// method's scope rules. It returns the context for the handler.
func (c *config) decide(ctx context.Context, method string) (context.Context, error) {
	out := ctx
	if c.skipper == nil || !c.skipper(ctx, method) {
		var err error
		out, err = c.rs.Authenticate(ctx, metadata.ValueFromIncomingContext(ctx, "authorization"))
		if err != nil && !(core.IsAnonymous(err) && (c.optional || c.optMeth[method])) {
			return ctx, err
		}
	}
	if rules := c.scopes[method]; len(rules) > 0 {
		ti, _ := core.FromContext(out)
		for _, r := range rules {
			if err := c.rs.CheckScopes(out, ti, r); err != nil {
				return ctx, err
			}
		}
	}
	return out, nil
}
