package connectrs

import (
	"context"
	"slices"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// Option configures NewInterceptor.
type Option func(*config)

type config struct {
	rs       *core.ResourceServer
	optional bool            // every procedure
	optProc  map[string]bool // or these
	skipper  func(ctx context.Context, procedure string) bool
	scopes   map[string][]core.ScopeRequirement
	recheck  bool
}

// Optional makes authentication optional for every procedure: a call with
// no bearer token at all goes on anonymously (TokenInfo reports false),
// while a malformed, bad or unverifiable token is still rejected
// (core.IsAnonymous). Default value: required.
func Optional() Option { return func(c *config) { c.optional = true } }

// OptionalProcedures makes authentication optional, as Optional does, for
// the named procedures only: "/package.Service/Method", as
// connect.Spec.Procedure gives them. It panics at setup on a name of
// another form. Default value: none.
func OptionalProcedures(procedures ...string) Option {
	names := slices.Clone(procedures)
	for _, p := range names {
		mustBeProcedure("OptionalProcedures", p)
	}
	return func(c *config) {
		if c.optProc == nil {
			c.optProc = map[string]bool{}
		}
		for _, p := range names {
			c.optProc[p] = true
		}
	}
}

// WithSkipper sets a function that, returning true, lets a call through
// without looking at its token (health checks, reflection). It gets the
// call's context, from which connect.CallInfoForHandlerContext reads the
// request's headers and peer, and its procedure. A scope rule of the
// procedure still applies, and fails without a token. Default value: nil,
// nothing is skipped.
func WithSkipper(skip func(ctx context.Context, procedure string) bool) Option {
	return func(c *config) { c.skipper = skip }
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
	return func(c *config) {
		if c.scopes == nil {
			c.scopes = map[string][]core.ScopeRequirement{}
		}
		c.scopes[procedure] = append(c.scopes[procedure], req)
	}
}

// RecheckStreams makes the interceptor decide again, with the stream's
// request headers, before each message a streaming handler sends and
// after each one it receives: the stream ends once its token has expired,
// or once the authorization server, asked again when the cached verdict
// ends, says it was revoked. Each check is the whole decision (a cache
// hit, usually; the UserLookup hook runs again). A failure is the error
// the stream ends with, whatever the handler returns. Default value: off,
// a stream is authenticated once, at its start.
func RecheckStreams() Option { return func(c *config) { c.recheck = true } }

// newConfig applies opts for rs and advertises the scope rules' scopes in
// the RFC 9728 metadata (rs.AdvertiseScopes); it panics on a nil rs.
func newConfig(rs *core.ResourceServer, fn string, opts []Option) *config {
	if rs == nil {
		panic("connectrs: " + fn + " with a nil *core.ResourceServer")
	}
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

// mustBeProcedure panics unless p has the form of a procedure name, so
// that a rule set on a misspelt name shows at start-up instead of
// silently never applying.
func mustBeProcedure(fn, p string) {
	svc, meth, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if !strings.HasPrefix(p, "/") || !ok || svc == "" || meth == "" || strings.Contains(meth, "/") {
		panic("connectrs: " + fn + ": " + p + " is not a procedure name (/package.Service/Method)")
	}
}
