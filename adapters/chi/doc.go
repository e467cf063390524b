// Package chirs makes a chi (or any net/http) API an OAuth 2.0 resource
// server with oidcrs's core.ResourceServer: Middleware authenticates the
// bearer token of each request (RFC 6750, RFC 7662 or RFC 9701
// introspection), RequireScopes adds per-route scope rules, RegisterRoutes
// serves the resource server's public keys at /jwks and, with
// Settings.Resource, its RFC 9728 protected-resource metadata, and
// TokenInfo, OriginAudience and User read the result in handlers.
//
// Every decision is core's; this package only names core's net/http
// middleware (ResourceServer.Middleware and RequireScopes) the way the
// ginrs and echors adapters name theirs, and configures it with
// core.Optional and core.WithSkipper. Failures are answered with
// ResourceServer.ErrorResponse's Response.Write: status, WWW-Authenticate,
// Retry-After, Cache-Control no-store, Content-Type application/json and
// the JSON body followed by a newline, byte for byte what the ginrs and
// echors adapters write.
//
//	r := chi.NewRouter()
//	chirs.RegisterRoutes(r, rs)
//	r.Route("/api", func(r chi.Router) {
//		r.Use(chirs.Middleware(rs))
//		r.Get("/me", meHandler) // chirs.TokenInfo(r), chirs.OriginAudience(r)
//		r.With(chirs.RequireScopes(rs, core.AnyScope("admin"))).Get("/admin", adminHandler)
//	})
//
// # Security
//
// Authentication is required by default and fails closed: a missing,
// malformed, inactive or expired token, or an authorization server that
// cannot be asked, stops the request before the next handler runs (401,
// 400, 403, 502 or 503; never a pass). core.Optional lets requests without
// any bearer token through anonymously, but a bad token is still rejected;
// a handler behind it must check TokenInfo's ok result. core.WithSkipper
// lets requests through unexamined: keep it to public routes.
// RequireScopes without an earlier Middleware answers 401. Middleware,
// RequireScopes and RegisterRoutes panic on a nil ResourceServer, at setup
// rather than on every request. Error descriptions are fixed library
// strings; tokens and Authorization headers are never logged. The verified
// token travels in the request's context under core's unexported key.
package chirs
