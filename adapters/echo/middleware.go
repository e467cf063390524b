package echors

import (
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/core"
)

// Config configures MiddlewareWithConfig.
type Config struct {
	// Skipper, returning true, lets a request through without looking at
	// its token. Default value: nil, nothing is skipped.
	Skipper func(c echo.Context) bool
	// ResourceServer decides. Required.
	ResourceServer *core.ResourceServer
	// Optional makes authentication optional: a request with no bearer
	// token at all goes on anonymously (TokenInfo reports false), while a
	// malformed, bad or unverifiable token is still rejected. Default
	// value: false, authentication is required.
	Optional bool
	// ErrorHandler, when set, gets each failure: err is the *echo.HTTPError
	// Middleware would return (its Internal the *core.Error), and its result
	// is returned instead. The request never goes on: a nil result means
	// the ErrorHandler wrote the answer. Default value: nil, the
	// *echo.HTTPError is returned.
	ErrorHandler func(c echo.Context, err error) error
}

// errNoResourceServer is the cause of the 500 answered to every request
// without a ResourceServer.
var errNoResourceServer = errors.New("echors: nil *core.ResourceServer")

// Middleware returns middleware that requires a good bearer token on every
// request; see MiddlewareWithConfig.
func Middleware(rs *core.ResourceServer) echo.MiddlewareFunc {
	return MiddlewareWithConfig(Config{ResourceServer: rs})
}

// MiddlewareWithConfig returns middleware that authenticates each request
// with cfg.ResourceServer.AuthenticateRequest. On success the request
// carrying the TokenInfo (and the user, with a UserLookup hook) in its
// context replaces c.Request(). On failure it returns the error answer as
// an *echo.HTTPError (see the package documentation). A nil
// ResourceServer fails closed: every request gets 500.
func MiddlewareWithConfig(cfg Config) echo.MiddlewareFunc {
	// Echo v4 applies middleware on every request, so the closure below is
	// allocated per request: it holds two words, not a copy of cfg.
	m := &cfg
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return m.authenticate(c, next) }
	}
}

// authenticate is the body of MiddlewareWithConfig's middleware.
func (cfg *Config) authenticate(c echo.Context, next echo.HandlerFunc) error {
	if cfg.Skipper != nil && cfg.Skipper(c) {
		return next(c)
	}
	rs := cfg.ResourceServer
	if rs == nil {
		return fail(c, core.ErrorResponse(errNoResourceServer, core.DefaultRealm), errNoResourceServer, cfg.ErrorHandler)
	}
	r, err := rs.AuthenticateRequest(c.Request())
	if err != nil {
		if cfg.Optional && core.Anonymous(err) {
			return next(c)
		}
		return fail(c, rs.ErrorResponse(err), err, cfg.ErrorHandler)
	}
	c.SetRequest(r)
	return next(c)
}

// RequireScopes returns middleware, placed after Middleware, that answers
// 403 insufficient_scope unless the token satisfies req (see
// core.AnyScope and core.AllScopes), and 401 when the request carries no
// verified token. It returns errors as Middleware does; a nil rs answers
// 500.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) echo.MiddlewareFunc {
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
	if s.rs == nil {
		return fail(c, core.ErrorResponse(errNoResourceServer, core.DefaultRealm), errNoResourceServer, nil)
	}
	if err := s.rs.CheckScopes(c.Request(), s.req); err != nil {
		return fail(c, s.rs.ErrorResponse(err), err, nil)
	}
	return next(c)
}

// fail sets the answer's headers on the response and returns the answer
// as an *echo.HTTPError, or what onError makes of it.
func fail(c echo.Context, resp core.Response, cause error, onError func(echo.Context, error) error) error {
	h := c.Response().Header()
	if resp.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", resp.WWWAuthenticate)
	}
	if resp.RetryAfter != "" {
		h.Set("Retry-After", resp.RetryAfter)
	}
	h.Set("Cache-Control", "no-store")
	he := &echo.HTTPError{Code: resp.Status, Message: resp.Body, Internal: cause}
	if onError != nil {
		return onError(c, he)
	}
	return he
}
