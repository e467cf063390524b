package ginrs

import (
	"github.com/gin-gonic/gin"

	"github.com/oidcrs/oidcrs/core"
)

// Option configures Middleware.
type Option func(*config)

type config struct {
	optional bool
	skipper  func(*gin.Context) bool
}

// Optional makes authentication optional: a request with no bearer token
// at all goes on anonymously (TokenInfo reports false), while a malformed,
// bad or unverifiable token is still rejected (core.IsAnonymous). Default
// value: required.
func Optional() Option { return func(c *config) { c.optional = true } }

// WithSkipper sets a function that, returning true, lets a request through
// without looking at its token, as Echo's Skipper does. Default value:
// nil, nothing is skipped.
func WithSkipper(skip func(*gin.Context) bool) Option {
	return func(c *config) { c.skipper = skip }
}

// Middleware returns a gin.HandlerFunc that authenticates each request
// with rs.Authenticate. On success it replaces c.Request with the request
// whose context carries the TokenInfo (and the user, with a UserLookup
// hook). On failure it aborts with rs's ErrorResponse. It answers a CORS
// preflight itself (rs.ServePreflight), unchallenged. It panics on a nil
// rs, as http.Handle does on a nil handler, so that a wiring mistake shows
// at start-up.
func Middleware(rs *core.ResourceServer, opts ...Option) gin.HandlerFunc {
	mustHave(rs, "Middleware")
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(c *gin.Context) {
		if rs.ServePreflight(c.Writer, c.Request) { // a CORS preflight is never challenged
			c.Abort()
			return
		}
		if cfg.skipper != nil && cfg.skipper(c) {
			c.Next()
			return
		}
		ctx, err := rs.AuthenticateRequest(c.Request.Context(), core.HTTPRequest(c.Request))
		switch {
		case err == nil:
			c.Request = c.Request.WithContext(ctx)
		case cfg.optional && core.IsAnonymous(err):
		default:
			c.Abort()
			rs.ErrorResponse(err).Write(c.Writer)
			return
		}
		c.Next()
	}
}

// RequireScopes returns a gin.HandlerFunc, placed after Middleware, that
// aborts with 403 insufficient_scope unless the token satisfies req (see
// core.AnyScope and core.AllScopes), and with 401 when the request carries
// no verified token. It advertises req's scopes in the RFC 9728 metadata
// (rs.AdvertiseScopes). It panics on a nil rs.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) gin.HandlerFunc {
	mustHave(rs, "RequireScopes")
	rs.AdvertiseScopes(req)
	return func(c *gin.Context) {
		ti, _ := core.FromContext(c.Request.Context())
		if err := rs.CheckScopes(c.Request.Context(), ti, req); err != nil {
			c.Abort()
			rs.ErrorResponse(err).Write(c.Writer)
			return
		}
		c.Next()
	}
}

// mustHave panics when rs is nil: a route set up without a resource server
// must not start, rather than answer 500 to every request.
func mustHave(rs *core.ResourceServer, fn string) {
	if rs == nil {
		panic("ginrs: " + fn + " with a nil *core.ResourceServer")
	}
}
