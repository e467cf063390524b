package chirs

import (
	"errors"
	"net/http"

	"github.com/oidcrs/oidcrs/core"
)

// Option configures Middleware.
type Option func(*config)

type config struct {
	optional bool
	skipper  func(*http.Request) bool
}

// Optional makes authentication optional: a request with no bearer token
// at all goes on anonymously (TokenInfo reports false), while a malformed,
// bad or unverifiable token is still rejected. Default value: required.
func Optional() Option { return func(c *config) { c.optional = true } }

// WithSkipper sets a function that, returning true, lets a request through
// without looking at its token, as Echo's Skipper does. Default value:
// nil, nothing is skipped.
func WithSkipper(skip func(*http.Request) bool) Option {
	return func(c *config) { c.skipper = skip }
}

var errNoResourceServer = errors.New("chirs: nil *core.ResourceServer")

// Middleware returns middleware that authenticates each request with
// rs.AuthenticateRequest. On success the next handler gets the request
// carrying the TokenInfo (and the user, with a UserLookup hook) in its
// context. On failure it answers with rs's ErrorResponse.
func Middleware(rs *core.ResourceServer, opts ...Option) func(http.Handler) http.Handler {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.skipper != nil && cfg.skipper(r) {
				next.ServeHTTP(w, r)
				return
			}
			if rs == nil {
				write(w, core.ErrorResponse(errNoResourceServer, core.DefaultRealm))
				return
			}
			r2, err := rs.AuthenticateRequest(r)
			if err != nil {
				if cfg.optional && core.Anonymous(err) {
					next.ServeHTTP(w, r)
					return
				}
				write(w, rs.ErrorResponse(err))
				return
			}
			next.ServeHTTP(w, r2)
		})
	}
}

// RequireScopes returns middleware, placed after Middleware, that answers
// 403 insufficient_scope unless the token satisfies req (see
// core.AnyScope and core.AllScopes), and 401 when the request carries no
// verified token.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rs == nil {
				write(w, core.ErrorResponse(errNoResourceServer, core.DefaultRealm))
				return
			}
			if err := rs.CheckScopes(r, req); err != nil {
				write(w, rs.ErrorResponse(err))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// write writes resp. The body ends with a newline, as json.Encoder (and
// so chi's render package) writes it, so that the three adapters answer
// alike.
func write(w http.ResponseWriter, resp core.Response) {
	h := w.Header()
	if resp.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", resp.WWWAuthenticate)
	}
	if resp.RetryAfter != "" {
		h.Set("Retry-After", resp.RetryAfter)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(append(resp.JSON(), '\n'))
}
