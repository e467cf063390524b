package chirs

import (
	"net/http"

	"github.com/oidcrs/oidcrs/core"
)

// Middleware returns rs.Middleware(opts...): net/http middleware that
// authenticates each request with rs.AuthenticateRequest and hands the next
// handler the request whose context carries the TokenInfo (and the user,
// with a UserLookup hook). On failure it answers with rs's ErrorResponse.
// core.Optional and core.WithSkipper configure it. It panics on a nil rs,
// as http.Handle does on a nil handler, so that a wiring mistake shows at
// start-up.
func Middleware(rs *core.ResourceServer, opts ...core.MiddlewareOption) func(http.Handler) http.Handler {
	mustHave(rs, "Middleware")
	return rs.Middleware(opts...)
}

// RequireScopes returns rs.RequireScopes(req): middleware, placed after
// Middleware, that answers 403 insufficient_scope unless the token
// satisfies req (see core.AnyScope and core.AllScopes), and 401 when the
// request carries no verified token. Like every RequireScopes, it
// advertises req's scopes in the RFC 9728 metadata (rs.AdvertiseScopes).
// It panics on a nil rs.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) func(http.Handler) http.Handler {
	mustHave(rs, "RequireScopes")
	return rs.RequireScopes(req)
}

// mustHave panics when rs is nil: a route set up without a resource server
// must not start, rather than answer 500 to every request.
func mustHave(rs *core.ResourceServer, fn string) {
	if rs == nil {
		panic("chirs: " + fn + " with a nil *core.ResourceServer")
	}
}
