package core

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// MiddlewareOption configures Middleware.
type MiddlewareOption func(*middlewareConfig)

type middlewareConfig struct {
	optional bool
	skip     func(*http.Request) bool
}

// Optional makes authentication optional: a request with no bearer token
// at all goes on anonymously (FromContext reports false), while a
// malformed, bad or unverifiable token is still rejected. Default value:
// required.
func Optional() MiddlewareOption { return func(c *middlewareConfig) { c.optional = true } }

// WithSkipper sets a function that, returning true, lets a request through
// without looking at its token (health checks, public pages). Default
// value: nil, nothing is skipped.
func WithSkipper(skip func(*http.Request) bool) MiddlewareOption {
	return func(c *middlewareConfig) { c.skip = skip }
}

// Middleware returns net/http middleware that runs AuthenticateRequest on every
// request and hands the next handler the request carrying the TokenInfo
// (and the user). It fails closed: any error stops the request with
// ErrorResponse's answer, except a missing token in Optional mode. A CORS
// preflight is answered, never challenged (ServePreflight). It
// panics on a nil ResourceServer, as http.Handle does on a nil handler, so
// that a wiring mistake shows at start-up.
func (rs *ResourceServer) Middleware(opts ...MiddlewareOption) func(http.Handler) http.Handler {
	if rs == nil {
		panic("oidcrs: Middleware on a nil *core.ResourceServer")
	}
	var cfg middlewareConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rs.ServePreflight(w, r) {
				return
			}
			if cfg.skip != nil && cfg.skip(r) {
				next.ServeHTTP(w, r)
				return
			}
			ctx, err := rs.AuthenticateRequest(r.Context(), HTTPRequest(r))
			switch {
			case err == nil:
				next.ServeHTTP(w, r.WithContext(ctx))
			case cfg.optional && IsAnonymous(err):
				next.ServeHTTP(w, r)
			default:
				rs.ErrorResponse(err).Write(w)
			}
		})
	}
}

// IsAnonymous reports whether err only says that the request carried no
// bearer token, so that an Optional route may go on without one. A
// malformed, bad or unverifiable token is never anonymous. It is the one
// rule behind every adapter's optional mode.
func IsAnonymous(err error) bool {
	return errors.Is(err, ErrMissingToken)
}

// RequireScopes returns net/http middleware, placed after Middleware, that
// answers 403 insufficient_scope unless the request's token satisfies req
// (401 insufficient_user_authentication for a step-up rule,
// RequireAuthentication), and 401 when the request carries no verified
// token (Middleware has
// answered a CORS preflight before). It panics on a nil ResourceServer.
func (rs *ResourceServer) RequireScopes(req ScopeRequirement) func(http.Handler) http.Handler {
	if rs == nil {
		panic("oidcrs: RequireScopes on a nil *core.ResourceServer")
	}
	rs.AdvertiseScopes(req)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ti, _ := FromContext(r.Context())
			if err := rs.CheckScopes(r.Context(), ti, req); err != nil {
				rs.ErrorResponse(err).Write(w)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CheckScopes applies a per-route scope rule to ti, the token that
// Authenticate verified for the request of ctx (nil without one): nil when
// req holds, else req.Check's refusal (ErrInsufficientScope, answered 403
// with req's scopes; ErrInsufficientUserAuthentication, 401, for a
// step-up rule, whose auth_time is read by this server's clock;
// ErrMissingToken, 401, without a token). A refusal is
// a decision: it is reported to the Observer and logged at Debug, as
// Authenticate reports and logs its own. Every RequireScopes and the gRPC
// per-method rules call it, so that a route's refusals are counted alike
// whatever carries the request. A nil ResourceServer reports nothing.
func (rs *ResourceServer) CheckScopes(ctx context.Context, ti *TokenInfo, req ScopeRequirement) error {
	now := time.Now
	if rs != nil && rs.now != nil {
		now = rs.now
	}
	err := req.check(ti, now())
	if err != nil && usedDPoP(ctx) {
		err = onScheme(err, schemeDPoP)
	}
	if err != nil && rs != nil {
		rs.reject(ctx, err)
		rs.mon.decided(ctx, err)
	}
	return err
}
