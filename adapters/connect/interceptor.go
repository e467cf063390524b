package connectrs

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/rpcauth"
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
type interceptor struct{ cfg *rpcauth.Config }

// WrapUnary decides before a unary handler runs; client calls pass.
func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		out, err := i.cfg.Decide(ctx, req.Spec().Procedure, request(ctx, req.HTTPMethod(), req.Spec().Procedure, req.Header()))
		if err != nil {
			var header http.Header
			if info, ok := connect.CallInfoForHandlerContext(ctx); ok {
				header = info.ResponseHeader()
			}
			return nil, fail(i.cfg.RS, err, req.Peer().Protocol, header)
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
		out, err := i.cfg.Decide(ctx, proc, request(ctx, http.MethodPost, proc, conn.RequestHeader()))
		if err != nil {
			return fail(i.cfg.RS, err, conn.Peer().Protocol, conn.ResponseHeader())
		}
		if !i.cfg.Recheck {
			return next(out, conn)
		}
		s := &stream{StreamingHandlerConn: conn, ctx: out, cfg: i.cfg}
		err = next(out, s)
		if f := s.latch.Failure(); f != nil {
			return f
		}
		return err
	}
}

// request returns the core.Request of a call of procedure sent with
// method: every value of header's Authorization and DPoP fields, for a
// DPoP proof's htm and htu the method and the procedure's path, the
// header (for a forwarded client certificate), and the TLS state
// WithClientTLS kept in ctx.
func request(ctx context.Context, method, procedure string, header http.Header) func() core.Request {
	return func() core.Request {
		return core.Request{Method: method, Path: procedure, Authorization: header.Values("Authorization"),
			DPoP: header.Values("Dpop"), Header: header, TLS: clientTLS(ctx)}
	}
}
