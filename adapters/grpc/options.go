package grpcrs

import (
	"context"
	"slices"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/rpcauth"
)

// Option configures UnaryServerInterceptor and StreamServerInterceptor.
// Give both interceptors the same options.
type Option func(*rpcauth.Config)

// Optional makes authentication optional for every method: a call with no
// bearer token at all goes on anonymously (TokenInfo reports false), while
// a malformed, bad or unverifiable token is still rejected
// (core.IsAnonymous). Default value: required.
func Optional() Option { return func(c *rpcauth.Config) { c.Optional = true } }

// OptionalMethods makes authentication optional, as Optional does, for the
// named methods only: full method names, "/package.Service/Method". It
// panics at setup on a name of another form. Default value: none.
func OptionalMethods(fullMethods ...string) Option {
	names := slices.Clone(fullMethods)
	for _, m := range names {
		mustBeMethod("OptionalMethods", m)
	}
	return func(c *rpcauth.Config) { c.AddOptional(names) }
}

// WithSkipper sets a function that, returning true, lets a call through
// without looking at its token (health checks, reflection). It gets the
// call's context (metadata, peer) and its full method name. A scope rule
// of the method still applies, and fails without a token. Default value:
// nil, nothing is skipped.
func WithSkipper(skip func(ctx context.Context, fullMethod string) bool) Option {
	return func(c *rpcauth.Config) { c.Skipper = skip }
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
	return func(c *rpcauth.Config) { c.AddScope(fullMethod, req) }
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
func RecheckStreams() Option { return func(c *rpcauth.Config) { c.Recheck = true } }

// newConfig applies opts for rs and advertises the scope rules' scopes in
// the RFC 9728 metadata (rs.AdvertiseScopes); it panics on a nil rs, so
// that a server set up without a resource server does not start.
func newConfig(rs *core.ResourceServer, fn string, opts []Option) *rpcauth.Config {
	return rpcauth.New("grpcrs", fn, rs, opts)
}

// mustBeMethod panics unless m has the form of a full method name, so
// that a rule set on a misspelt name shows at start-up instead of
// silently never applying.
func mustBeMethod(fn, m string) { rpcauth.CheckName("grpcrs", fn, m, "full method name") }
