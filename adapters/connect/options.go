package connectrs

import (
	"context"
	"slices"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/rpcauth"
)

// Option configures NewInterceptor.
type Option func(*rpcauth.Config)

// Optional makes authentication optional for every procedure: a call with
// no bearer token at all goes on anonymously (TokenInfo reports false),
// while a malformed, bad or unverifiable token is still rejected
// (core.IsAnonymous). Default value: required.
func Optional() Option { return func(c *rpcauth.Config) { c.Optional = true } }

// OptionalProcedures makes authentication optional, as Optional does, for
// the named procedures only: "/package.Service/Method", as
// connect.Spec.Procedure gives them. It panics at setup on a name of
// another form. Default value: none.
func OptionalProcedures(procedures ...string) Option {
	names := slices.Clone(procedures)
	for _, p := range names {
		mustBeProcedure("OptionalProcedures", p)
	}
	return func(c *rpcauth.Config) { c.AddOptional(names) }
}

// WithSkipper sets a function that, returning true, lets a call through
// without looking at its token (health checks, reflection). It gets the
// call's context, from which connect.CallInfoForHandlerContext reads the
// request's headers and peer, and its procedure. A scope rule of the
// procedure still applies, and fails without a token. Default value: nil,
// nothing is skipped.
func WithSkipper(skip func(ctx context.Context, procedure string) bool) Option {
	return func(c *rpcauth.Config) { c.Skipper = skip }
}

// WithScopes adds a per-procedure scope rule (core.AnyScope,
// core.AllScopes): a call of procedure ("/package.Service/Method") whose
// token falls short is answered PermissionDenied, and one without a
// token, in optional mode, Unauthenticated. A procedure given several
// rules needs them all. The interceptor advertises the rules' scopes in
// the RFC 9728 metadata (rs.AdvertiseScopes). It panics at setup on a
// name of another form. Default value: no rule.
func WithScopes(procedure string, req core.ScopeRequirement) Option {
	mustBeProcedure("WithScopes", procedure)
	return func(c *rpcauth.Config) { c.AddScope(procedure, req) }
}

// RecheckStreams makes the interceptor decide again, with the stream's
// request headers, before each message a streaming handler sends and
// after each one it receives: the stream ends once its token has expired,
// or once the authorization server, asked again when the cached verdict
// ends, says it was revoked. Each check is the whole decision (a cache
// hit, usually; the UserLookup hook runs again). A failure is the error
// the stream ends with, whatever the handler returns. Default value: off,
// a stream is authenticated once, at its start.
func RecheckStreams() Option { return func(c *rpcauth.Config) { c.Recheck = true } }

// newConfig applies opts for rs and advertises the scope rules' scopes in
// the RFC 9728 metadata (rs.AdvertiseScopes); it panics on a nil rs, so
// that a server set up without a resource server does not start.
func newConfig(rs *core.ResourceServer, fn string, opts []Option) *rpcauth.Config {
	return rpcauth.New("connectrs", fn, rs, opts)
}

// mustBeProcedure panics unless p has the form of a procedure name, so
// that a rule set on a misspelt name shows at start-up instead of
// silently never applying.
func mustBeProcedure(fn, p string) { rpcauth.CheckName("connectrs", fn, p, "procedure name") }
