package echors

import (
	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/core"
)

// Config configures MiddlewareWithConfig.
type Config struct {
	// Skipper, returning true, lets a request through without looking at
	// its token. Default value: nil, nothing is skipped.
	Skipper func(c echo.Context) bool
	// ResourceServer decides. Required: MiddlewareWithConfig panics
	// without it.
	ResourceServer *core.ResourceServer
	// Optional makes authentication optional: a request with no bearer
	// token at all goes on anonymously (TokenInfo reports false), while a
	// malformed, bad or unverifiable token is still rejected. Default
	// value: false, authentication is required.
	Optional bool
	// ErrorHandler, when set, gets each failure: err is the *echo.HTTPError
	// Middleware would return (its Internal the error from core, which
	// errors.Is matches with the core sentinels), and its result is
	// returned instead. The answer's headers, Content-Type application/json
	// included, are already set on c.Response(). The request never goes
	// on: a nil result means the ErrorHandler wrote the answer. Default
	// value: nil, the *echo.HTTPError is returned.
	ErrorHandler func(c echo.Context, err error) error
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
// replaces c.Request(). On failure it returns the error answer as an
// *echo.HTTPError (see the package documentation). It answers a CORS
// preflight itself (ServePreflight), unchallenged. It panics on a nil
// cfg.ResourceServer, as Echo's own middleware does on a missing
// required field, so that a wiring mistake shows at start-up.
func MiddlewareWithConfig(cfg Config) echo.MiddlewareFunc {
	mustHave(cfg.ResourceServer, "MiddlewareWithConfig")
	m := &cfg // Echo v4 builds the closure below per request: two words
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return m.authenticate(c, next) }
	}
}

// authenticate is the body of MiddlewareWithConfig's middleware.
func (cfg *Config) authenticate(c echo.Context, next echo.HandlerFunc) error {
	r := c.Request()
	if cfg.ResourceServer.ServePreflight(c.Response(), r) { // never challenged
		return nil
	}
	if cfg.Skipper != nil && cfg.Skipper(c) {
		return next(c)
	}
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

// RequireScopes returns middleware, placed after Middleware, that answers
// 403 insufficient_scope unless the token satisfies req (core.AnyScope,
// core.AllScopes), 401 without a verified token, as Middleware does; it
// advertises req's scopes (rs.AdvertiseScopes). It panics on a nil rs.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) echo.MiddlewareFunc {
	mustHave(rs, "RequireScopes")
	rs.AdvertiseScopes(req)
	s := &scopeCheck{rs: rs, req: req} // the per-request closure holds two words
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return s.check(c, next) }
	}
}

type scopeCheck struct {
	rs  *core.ResourceServer
	req core.ScopeRequirement
}

// check is the body of RequireScopes's middleware.
func (s *scopeCheck) check(c echo.Context, next echo.HandlerFunc) error {
	ti, _ := core.FromContext(c.Request().Context())
	if err := s.rs.CheckScopes(c.Request().Context(), ti, s.req); err != nil {
		return fail(c, s.rs.ErrorResponse(err), err, nil)
	}
	return next(c)
}

// fail sets the answer's headers, and returns it as an *echo.HTTPError.
func fail(c echo.Context, resp core.Response, cause error, onError func(echo.Context, error) error) error {
	resp.SetHeaders(c.Response().Header())
	he := &echo.HTTPError{Code: resp.Status, Message: resp.Body, Internal: cause}
	if onError != nil { // or what onError makes of it
		return onError(c, he)
	}
	return he
}

// mustHave panics when rs is nil: a wiring mistake shows at start-up.
func mustHave(rs *core.ResourceServer, fn string) {
	if rs == nil {
		panic("echors: " + fn + " with a nil *core.ResourceServer")
	}
}
