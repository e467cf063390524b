package echov5rs

import (
	"errors"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/core"
)

// Config configures MiddlewareWithConfig and ToMiddleware.
type Config struct {
	// Skipper, returning true, lets a request through without looking at
	// its token. Default value: nil, nothing is skipped.
	Skipper func(c *echo.Context) bool
	// ResourceServer decides. Required: MiddlewareWithConfig panics and
	// ToMiddleware fails without it.
	ResourceServer *core.ResourceServer
	// Optional makes authentication optional: a request with no bearer
	// token at all goes on anonymously (TokenInfo reports false), while a
	// malformed, bad or unverifiable token is still rejected. Default
	// value: false, authentication is required.
	Optional bool
	// ErrorHandler, when set, gets each failure: err is the error
	// Middleware would return (see the package documentation), and its
	// result is returned instead. The answer's headers, Content-Type
	// application/json included, are already set on c.Response(). The
	// request never goes on: a nil result means the ErrorHandler wrote the
	// answer. Default value: nil, the error is returned.
	ErrorHandler func(c *echo.Context, err error) error
}

// Middleware returns middleware that requires a good bearer token on every
// request; see MiddlewareWithConfig. It panics on a nil rs.
func Middleware(rs *core.ResourceServer) echo.MiddlewareFunc {
	mustHave(rs, "Middleware")
	return MiddlewareWithConfig(Config{ResourceServer: rs})
}

// MiddlewareWithConfig returns middleware that authenticates each request
// with cfg.ResourceServer.Authenticate. On success the request whose
// context carries the TokenInfo (and the user, with a UserLookup hook)
// replaces c.Request(). On failure it returns the error answer (see the
// package documentation); a CORS preflight it answers itself
// (ServePreflight). It panics on a nil cfg.ResourceServer, as
// Echo's own middleware does on a bad configuration, so that a wiring
// mistake shows at start-up; cfg.ToMiddleware returns an error instead.
func MiddlewareWithConfig(cfg Config) echo.MiddlewareFunc {
	mustHave(cfg.ResourceServer, "MiddlewareWithConfig")
	mw, _ := cfg.ToMiddleware()
	return mw
}

// ToMiddleware returns the middleware of MiddlewareWithConfig, or an error
// when cfg.ResourceServer is nil (echo.MiddlewareConfigurator).
func (cfg Config) ToMiddleware() (echo.MiddlewareFunc, error) {
	if cfg.ResourceServer == nil {
		return nil, errors.New("echov5rs: Config.ResourceServer is nil")
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if cfg.ResourceServer.ServePreflight(c.Response(), c.Request()) { // never challenged
				return nil
			}
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			r := c.Request()
			ctx, err := cfg.ResourceServer.AuthenticateRequest(r.Context(), core.HTTPRequest(r))
			switch {
			case err == nil:
				c.SetRequest(r.WithContext(ctx))
			case cfg.Optional && core.IsAnonymous(err):
			default:
				return fail(c, cfg.ResourceServer.ErrorResponse(err), err, cfg.ErrorHandler)
			}
			return next(c)
		}
	}, nil
}

// RequireScopes returns middleware, placed after Middleware, that answers
// 403 insufficient_scope unless the token satisfies req (core.AnyScope,
// core.AllScopes), 401 without a verified token, as Middleware does; it
// advertises req's scopes (rs.AdvertiseScopes). It panics on a nil rs.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) echo.MiddlewareFunc {
	mustHave(rs, "RequireScopes")
	rs.AdvertiseScopes(req)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			ctx := c.Request().Context()
			ti, _ := core.FromContext(ctx)
			if err := rs.CheckScopes(ctx, ti, req); err != nil {
				return fail(c, rs.ErrorResponse(err), err, nil)
			}
			return next(c)
		}
	}
}

// fail sets the answer's headers on the response and returns the answer
// as an error, or what onError makes of it.
func fail(c *echo.Context, resp core.Response, cause error, onError func(*echo.Context, error) error) error {
	resp.SetHeaders(c.Response().Header())
	err := newError(resp, cause)
	if onError != nil {
		return onError(c, err)
	}
	return err
}

// mustHave panics when rs is nil: a wiring mistake shows at start-up.
func mustHave(rs *core.ResourceServer, fn string) {
	if rs == nil {
		panic("echov5rs: " + fn + " with a nil *core.ResourceServer")
	}
}
