package grpcrs

import (
	"context"
	"slices"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// Option configures UnaryServerInterceptor and StreamServerInterceptor.
// Give both interceptors the same options.
type Option func(*config)

type config struct {
	rs       *core.ResourceServer
	optional bool            // every method
	optMeth  map[string]bool // or these
	skipper  func(ctx context.Context, fullMethod string) bool
	scopes   map[string][]core.ScopeRequirement
	recheck  bool
}

// Optional makes authentication optional for every method: a call with no
// bearer token at all goes on anonymously (TokenInfo reports false), while
// a malformed, bad or unverifiable token is still rejected
// (core.IsAnonymous). Default value: required.
func Optional() Option { return func(c *config) { c.optional = true } }

// OptionalMethods makes authentication optional, as Optional does, for the
// named methods only: full method names, "/package.Service/Method". It
// panics at setup on a name of another form. Default value: none.
func OptionalMethods(fullMethods ...string) Option {
	names := slices.Clone(fullMethods)
	for _, m := range names {
		mustBeMethod("OptionalMethods", m)
	}
	return func(c *config) {
		if c.optMeth == nil {
			c.optMeth = map[string]bool{}
		}
		for _, m := range names {
			c.optMeth[m] = true
		}
	}
}

// WithSkipper sets a function that, returning true, lets a call through
// without looking at its token (health checks, reflection). It gets the
// call's context (metadata, peer) and its full method name. A scope rule
// of the method still applies, and fails without a token. Default value:
// nil, nothing is skipped.
func WithSkipper(skip func(ctx context.Context, fullMethod string) bool) Option {
	return func(c *config) { c.skipper = skip }
}

// WithScopes adds a per-method scope rule (core.AnyScope, core.AllScopes):
// a call of fullMethod ("/package.Service/Method") whose token falls short
// is answered PermissionDenied, and one without a token, in optional mode,
// Unauthenticated. A method given several rules needs them all. The
// interceptors advertise the rules' scopes in the RFC 9728 metadata
// (rs.AdvertiseScopes). It panics at setup on a name of another form.
// Default value: no rule.
func WithScopes(fullMethod string, req core.ScopeRequirement) Option {
	mustBeMethod("WithScopes", fullMethod)
	return func(c *config) {
		if c.scopes == nil {
			c.scopes = map[string][]core.ScopeRequirement{}
		}
		c.scopes[fullMethod] = append(c.scopes[fullMethod], req)
	}
}

// RecheckStreams makes StreamServerInterceptor decide again, with the
// stream's metadata, before each message the handler sends and after each
// one it receives: the stream ends once its token has expired, or once the
// authorization server, asked again when the cached verdict ends, says it
// was revoked. Each check is the whole decision (a cache hit, usually; the
// UserLookup hook runs again). A failure is the status the stream ends
// with, whatever the handler returns. Default value: off, a stream is
// authenticated once, at its start, and a token that expires mid-stream
// does not end it.
func RecheckStreams() Option { return func(c *config) { c.recheck = true } }

// newConfig applies opts for rs and advertises the scope rules' scopes in
// the RFC 9728 metadata (rs.AdvertiseScopes); it panics on a nil rs.
func newConfig(rs *core.ResourceServer, fn string, opts []Option) *config {
	mustHave(rs, fn)
	c := &config{rs: rs}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	for _, rules := range c.scopes {
		for _, r := range rules {
			rs.AdvertiseScopes(r)
		}
	}
	return c
}

// mustBeMethod panics unless m has the form of a full method name, so
// that a rule set on a misspelt name shows at start-up instead of
// silently never applying.
func mustBeMethod(fn, m string) {
	svc, meth, ok := strings.Cut(strings.TrimPrefix(m, "/"), "/")
	if !strings.HasPrefix(m, "/") || !ok || svc == "" || meth == "" || strings.Contains(meth, "/") {
		panic("grpcrs: " + fn + ": " + m + " is not a full method name (/package.Service/Method)")
	}
}

// mustHave panics when rs is nil: a server set up without a resource
// server must not start, rather than fail every call.
func mustHave(rs *core.ResourceServer, fn string) {
	if rs == nil {
		panic("grpcrs: " + fn + " with a nil *core.ResourceServer")
	}
}
