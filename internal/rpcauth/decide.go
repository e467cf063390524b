package rpcauth

import (
	"context"

	"github.com/oidcrs/oidcrs/core"
)

// Decide is the whole decision for one call of method: the skipper or
// rs.AuthenticateRequest with the call's request (its authorization and
// dpop metadata or headers, read only when the skipper does not skip it;
// optional mode letting an anonymous call on), then the method's scope
// rules. It returns the context for the handler, or ctx and the error to
// map to the call's status.
func (c *Config) Decide(ctx context.Context, method string, request func() core.Request) (context.Context, error) {
	out := ctx
	if c.Skipper == nil || !c.Skipper(ctx, method) {
		var err error
		out, err = c.RS.AuthenticateRequest(ctx, request())
		if err != nil && !(core.IsAnonymous(err) && (c.Optional || c.optional[method])) {
			return ctx, err
		}
	}
	if rules := c.scopes[method]; len(rules) > 0 {
		ti, _ := core.FromContext(out)
		for _, r := range rules {
			if err := c.RS.CheckScopes(out, ti, r); err != nil {
				return ctx, err
			}
		}
	}
	return out, nil
}
