// Package rpcauth is the framework-free part of the RPC adapters (grpcrs,
// connectrs): their options, the check of a method's name, the decision
// for one call and a stream's recheck latch. Each adapter keeps its own
// Option type, reads the authorization values from its framework and
// maps a failure to its framework's status; this package does the rest
// once, so that the two cannot drift apart.
package rpcauth

import (
	"context"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// Config is an RPC interceptor's configuration. A method is named as
// "/package.Service/Method" (gRPC's full method name, Connect's
// procedure).
type Config struct {
	// RS decides; New sets it and never leaves it nil.
	RS *core.ResourceServer
	// Optional lets an anonymous call of any method on.
	Optional bool
	// Skipper, returning true, lets a call of the method through without
	// looking at its token; nil skips nothing.
	Skipper func(ctx context.Context, method string) bool
	// Recheck makes a stream decide again around each message.
	Recheck bool

	optional map[string]bool                    // methods letting an anonymous call on
	scopes   map[string][]core.ScopeRequirement // each method's scope rules
}

// New returns the Config of rs with opts applied (nil ones ignored), and
// advertises the scope rules' scopes in the RFC 9728 metadata
// (rs.AdvertiseScopes). It panics on a nil rs, with pkg and fn (the
// adapter's package and constructor) in the message: a server set up
// without a resource server must not start, rather than fail every call.
func New[O ~func(*Config)](pkg, fn string, rs *core.ResourceServer, opts []O) *Config {
	if rs == nil {
		panic(pkg + ": " + fn + " with a nil *core.ResourceServer")
	}
	c := &Config{RS: rs}
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

// AddOptional lets an anonymous call of each of methods on.
func (c *Config) AddOptional(methods []string) {
	if c.optional == nil {
		c.optional = map[string]bool{}
	}
	for _, m := range methods {
		c.optional[m] = true
	}
}

// AddScope adds a scope rule to method; a method given several rules
// needs them all.
func (c *Config) AddScope(method string, req core.ScopeRequirement) {
	if c.scopes == nil {
		c.scopes = map[string][]core.ScopeRequirement{}
	}
	c.scopes[method] = append(c.scopes[method], req)
}

// CheckName panics unless name has the form "/package.Service/Method", so
// that a rule set on a misspelt name shows at start-up instead of
// silently never applying. The message reads
// "<pkg>: <fn>: <name> is not a <kind> (/package.Service/Method)".
func CheckName(pkg, fn, name, kind string) {
	svc, meth, ok := strings.Cut(strings.TrimPrefix(name, "/"), "/")
	if !strings.HasPrefix(name, "/") || !ok || svc == "" || meth == "" || strings.Contains(meth, "/") {
		panic(pkg + ": " + fn + ": " + name + " is not a " + kind + " (/package.Service/Method)")
	}
}
