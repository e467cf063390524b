// Package echors makes an Echo (v4) API an OAuth 2.0 resource server with
// oidcrs's core.ResourceServer: Middleware authenticates the bearer token
// of each request (RFC 6750, RFC 7662 or RFC 9701 introspection),
// RequireScopes adds per-route scope rules, RegisterRoutes serves the
// resource server's public keys at /jwks and, with Settings.Resource, its
// RFC 9728 protected-resource metadata, and TokenInfo, OriginAudience and
// User read the result in handlers.
//
// Every decision is core's (ResourceServer.AuthenticateRequest, DPoP
// proofs included, and core.IsAnonymous for the optional mode); this
// package only adapts it to Echo.
// Following Echo's convention, failures are returned as
// *echo.HTTPError (Message a core.ErrorBody, Internal the error from core,
// so errors.Is works), for the application's HTTPErrorHandler to render.
// The WWW-Authenticate, Retry-After, Cache-Control and Content-Type
// headers are set on the response first (core.Response.SetHeaders), so
// any handler keeps them. With Echo's default HTTPErrorHandler the answer
// is byte for byte what the ginrs and chirs adapters write: Content-Type
// application/json and the JSON body followed by a newline (json.Encoder's).
// Echo's Debug mode and the ?pretty query parameter indent the JSON.
//
//	e := echo.New()
//	echors.RegisterRoutes(e, rs)
//	api := e.Group("/api", echors.Middleware(rs))
//	api.GET("/me", func(c echo.Context) error {
//		ti, _ := echors.TokenInfo(c)
//		return c.JSON(http.StatusOK, echo.Map{"sub": ti.Subject, "audience": echors.OriginAudience(c)})
//	})
//	api.GET("/admin", adminHandler, echors.RequireScopes(rs, core.AnyScope("admin")))
//
// # Security
//
// Authentication is required by default and fails closed: a missing,
// malformed, inactive or expired token, or an authorization server that
// cannot be asked, stops the request before the handler runs (401, 400,
// 403, 502 or 503; never a pass). Config.Optional lets requests without any
// bearer token through anonymously, but a bad token is still rejected; a
// handler behind it must check TokenInfo's ok result. Config.Skipper lets
// requests through unexamined: keep it to public routes. A
// Config.ErrorHandler cannot let a rejected request reach the handler.
// RequireScopes without an earlier Middleware answers 401. Middleware,
// MiddlewareWithConfig, RequireScopes and RegisterRoutes panic on a nil
// ResourceServer, at setup rather than on every request. Error
// descriptions are fixed library strings; tokens and Authorization headers
// are never logged. The verified token travels in the request's context,
// not in Echo's key store, so it cannot be overwritten by c.Set.
package echors
