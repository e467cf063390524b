package ginrs

import (
	"errors"

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
// bad or unverifiable token is still rejected. Default value: required.
func Optional() Option { return func(c *config) { c.optional = true } }

// WithSkipper sets a function that, returning true, lets a request through
// without looking at its token, as Echo's Skipper does. Default value:
// nil, nothing is skipped.
func WithSkipper(skip func(*gin.Context) bool) Option {
	return func(c *config) { c.skipper = skip }
}

var errNoResourceServer = errors.New("ginrs: nil *core.ResourceServer")

// Middleware returns a gin.HandlerFunc that authenticates each request
// with rs.AuthenticateRequest. On success it replaces c.Request with the
// request carrying the TokenInfo (and the user, with a UserLookup hook) in
// its context. On failure it aborts with rs's ErrorResponse. A nil rs
// answers 500 to everything.
func Middleware(rs *core.ResourceServer, opts ...Option) gin.HandlerFunc {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(c *gin.Context) {
		if cfg.skipper != nil && cfg.skipper(c) {
			c.Next()
			return
		}
		if rs == nil {
			abort(c, core.ErrorResponse(errNoResourceServer, core.DefaultRealm))
			return
		}
		r, err := rs.AuthenticateRequest(c.Request)
		if err != nil {
			if cfg.optional && core.Anonymous(err) {
				c.Next()
				return
			}
			abort(c, rs.ErrorResponse(err))
			return
		}
		c.Request = r
		c.Next()
	}
}

// RequireScopes returns a gin.HandlerFunc, placed after Middleware, that
// aborts with 403 insufficient_scope unless the token satisfies req (see
// core.AnyScope and core.AllScopes), and with 401 when the request carries
// no verified token. A nil rs answers 500.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rs == nil {
			abort(c, core.ErrorResponse(errNoResourceServer, core.DefaultRealm))
			return
		}
		if err := rs.CheckScopes(c.Request, req); err != nil {
			abort(c, rs.ErrorResponse(err))
			return
		}
		c.Next()
	}
}

// abort writes resp and stops the chain. The body ends with a newline, as
// json.Encoder writes it, so that the three adapters answer alike.
func abort(c *gin.Context, resp core.Response) {
	h := c.Writer.Header()
	if resp.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", resp.WWWAuthenticate)
	}
	if resp.RetryAfter != "" {
		h.Set("Retry-After", resp.RetryAfter)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	c.Abort()
	c.Data(resp.Status, "application/json", append(resp.JSON(), '\n'))
}
