package connectrs

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/core"
)

// NewInterceptor returns a handler interceptor that authenticates every
// call, unary and streaming, with rs.Authenticate, given every value of
// the request's Authorization header, then applies the procedure's scope
// rules. On success the handler gets the context carrying the TokenInfo
// (and the user, with a UserLookup hook). On failure the handler does not
// run: the call ends with the error of the package documentation's table.
// A stream is authenticated once, at its start, unless RecheckStreams.
//
// Install it on handlers (connect.WithInterceptors); on a client it does
// nothing. It panics on a nil rs, so that a wiring mistake shows at
// start-up rather than as a failure of every call.
func NewInterceptor(rs *core.ResourceServer, opts ...Option) connect.Interceptor {
	return &interceptor{cfg: newConfig(rs, "NewInterceptor", opts)}
}

// interceptor is the connect.Interceptor of NewInterceptor.
type interceptor struct{ cfg *config }

// WrapUnary decides before a unary handler runs; client calls pass.
func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		out, err := i.cfg.decide(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			var header http.Header
			if info, ok := connect.CallInfoForHandlerContext(ctx); ok {
				header = info.ResponseHeader()
			}
			return nil, i.cfg.fail(err, req.Peer().Protocol, header)
		}
		return next(out, req)
	}
}

// WrapStreamingClient leaves client streams alone.
func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler decides before a streaming handler runs and, with
// RecheckStreams, around each of its messages.
func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		proc := conn.Spec().Procedure
		out, err := i.cfg.decide(ctx, proc, conn.RequestHeader())
		if err != nil {
			return i.cfg.fail(err, conn.Peer().Protocol, conn.ResponseHeader())
		}
		if !i.cfg.recheck {
			return next(out, conn)
		}
		s := &stream{StreamingHandlerConn: conn, ctx: ctx, cfg: i.cfg}
		err = next(out, s)
		if f := s.failure(); f != nil {
			return f
		}
		return err
	}
}

// decide is the whole decision for one call of procedure: the skipper or
// Authenticate (optional mode letting an anonymous call on), then the
// procedure's scope rules. It returns the context for the handler.
func (c *config) decide(ctx context.Context, procedure string, header http.Header) (context.Context, error) {
	out := ctx
	if c.skipper == nil || !c.skipper(ctx, procedure) {
		var err error
		out, err = c.rs.Authenticate(ctx, header.Values("Authorization"))
		if err != nil && !(core.IsAnonymous(err) && (c.optional || c.optProc[procedure])) {
			return ctx, err
		}
	}
	if rules := c.scopes[procedure]; len(rules) > 0 {
		ti, _ := core.FromContext(out)
		for _, r := range rules {
			if err := c.rs.CheckScopes(out, ti, r); err != nil {
				return ctx, err
			}
		}
	}
	return out, nil
}
