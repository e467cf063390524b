// Package ginrs makes a Gin API an OAuth 2.0 resource server with
// oidcrs's core.ResourceServer: Middleware authenticates the bearer token
// of each request (RFC 6750, RFC 7662 or RFC 9701 introspection),
// RequireScopes adds per-route scope rules, RegisterRoutes serves the
// resource server's public keys at /jwks and, with Settings.Resource, its
// RFC 9728 protected-resource metadata, and TokenInfo, OriginAudience and
// User read the result in handlers.
//
// Every decision is core's (ResourceServer.AuthenticateRequest, DPoP
// proofs included, and core.IsAnonymous for the optional mode); this
// package only adapts it to Gin.
// Failures are answered with ResourceServer.ErrorResponse's
// Response.Write: status, WWW-Authenticate, Retry-After, Cache-Control
// no-store, Content-Type application/json and the JSON body followed by a
// newline, byte for byte what the echors and chirs adapters write.
//
//	r := gin.New()
//	ginrs.RegisterRoutes(r, rs)
//	api := r.Group("/api", ginrs.Middleware(rs))
//	api.GET("/me", func(c *gin.Context) {
//		ti, _ := ginrs.TokenInfo(c)
//		c.JSON(http.StatusOK, gin.H{"sub": ti.Subject, "audience": ginrs.OriginAudience(c)})
//	})
//	api.GET("/admin", ginrs.RequireScopes(rs, core.AnyScope("admin")), adminHandler)
//
// # Security
//
// Authentication is required by default and fails closed: a missing,
// malformed, inactive or expired token, or an authorization server that
// cannot be asked, aborts the request before any later handler runs (401,
// 400, 403, 502 or 503; never a pass). Optional lets requests without any
// bearer token through anonymously, but a bad token is still rejected; a
// handler behind Optional must check TokenInfo's ok result. A Skipper lets
// requests through unexamined: keep it to public routes. RequireScopes
// without an earlier Middleware answers 401. Middleware, RequireScopes and
// RegisterRoutes panic on a nil ResourceServer, at setup rather than on
// every request. Error descriptions are fixed library strings; tokens and
// Authorization headers are never logged. The verified token travels in
// the request's context (c.Request), not in gin's key store, so it cannot
// be overwritten by c.Set.
package ginrs
