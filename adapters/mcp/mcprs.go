package mcprs

import (
	"context"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/oidcrs/oidcrs/core"
)

// extraKey is the key of the oidcrs TokenInfo in the SDK's
// auth.TokenInfo.Extra; serverKey that of the decider, which CheckScopes
// reports its refusals to.
const (
	extraKey  = "oidcrs.token_info"
	serverKey = "oidcrs.decider"
)

// decider carries the ResourceServer that decided, opaque to tools.
type decider struct{ rs *core.ResourceServer }

// Protect returns h (typically NewStreamableHandler) behind oidcrs:
// rs.Middleware decides every request and answers failures, then the
// SDK's auth.RequireBearerToken fills its auth.TokenInfo from the verdict
// already in the context. Its UserID, which the SDK binds sessions to, is
// the token's issuer and sub (see Sessions in the package doc). opts are
// core.Middleware options
// (core.Optional is refused by the SDK's middleware: an MCP endpoint needs
// a token). It panics on a nil rs or one without Settings.Resource.
func Protect(rs *core.ResourceServer, h http.Handler, opts ...core.MiddlewareOption) http.Handler {
	if rs == nil {
		panic("mcprs: Protect with a nil *core.ResourceServer")
	}
	if rs.Settings().Resource == "" {
		panic("mcprs: Protect needs Settings.Resource (OIDC_RS_RESOURCE): the MCP authorization specification requires it")
	}
	sdk := auth.RequireBearerToken(func(ctx context.Context, tok string, r *http.Request) (*auth.TokenInfo, error) {
		info, err := fromVerdict(ctx, tok, r)
		if err == nil {
			info.Extra[serverKey] = decider{rs}
		}
		return info, err
	}, &auth.RequireBearerTokenOptions{
		// oidcrs checked exp (with its leeway) an instant ago; the SDK's
		// second look must not refuse a token at the boundary.
		AllowMissingExpiration: true,
		ClockSkew:              rs.Settings().Leeway + time.Minute,
	})
	return rs.Middleware(opts...)(sdk(h))
}

// TokenInfo returns the oidcrs TokenInfo behind the SDK's token info of a
// request (a tool's req.Extra.TokenInfo), if any.
func TokenInfo(sdk *auth.TokenInfo) (*core.TokenInfo, bool) {
	if sdk == nil {
		return nil, false
	}
	ti, ok := sdk.Extra[extraKey].(*core.TokenInfo)
	return ti, ok && ti != nil
}

// CheckScopes checks a per-tool rule against the caller's token: nil when
// it holds, else an error (core.ErrInsufficientScope, or
// core.ErrMissingToken without a token) whose message names the scopes
// needed, for the tool to return as its error result. A refusal is
// reported to the ResourceServer of Protect (rs.CheckScopes: the Observer
// and the Debug log), without the request's context. HTTP-level 403
// answers come from RequireScopes on the route.
func CheckScopes(sdk *auth.TokenInfo, req core.ScopeRequirement) error {
	ti, _ := TokenInfo(sdk)
	if sdk != nil {
		if d, ok := sdk.Extra[serverKey].(decider); ok {
			return d.rs.CheckScopes(context.Background(), ti, req)
		}
	}
	return req.Check(ti)
}

// RegisterRoutes mounts, on mux, GET /jwks and, with Settings.Resource,
// the RFC 9728 metadata at its well-known path (rs.MetadataPath), both
// outside any authentication. It panics on a nil rs.
func RegisterRoutes(mux *http.ServeMux, rs *core.ResourceServer) {
	if rs == nil {
		panic("mcprs: RegisterRoutes with a nil *core.ResourceServer")
	}
	mux.Handle("GET /jwks", rs.JWKSHandler())
	if p := rs.MetadataPath(); p != "" {
		mux.Handle(p, rs.MetadataHandler())
	}
}

// RequireScopes returns net/http middleware, placed inside Protect, that
// answers 403 insufficient_scope with the rule's scopes (so that clients
// can step up) unless the token satisfies req; the scopes are advertised
// in the metadata. It panics on a nil rs.
func RequireScopes(rs *core.ResourceServer, req core.ScopeRequirement) func(http.Handler) http.Handler {
	if rs == nil {
		panic("mcprs: RequireScopes with a nil *core.ResourceServer")
	}
	return rs.RequireScopes(req)
}
