// Package echov5rs makes an Echo v5 API an OAuth 2.0 resource server with
// oidcrs's core.ResourceServer: Middleware authenticates the bearer token
// of each request (RFC 6750, RFC 7662 or RFC 9701 introspection),
// RequireScopes adds per-route scope rules, RegisterRoutes serves the
// resource server's public keys at /jwks and, with Settings.Resource, its
// RFC 9728 protected-resource metadata, and TokenInfo, OriginAudience and
// User read the result in handlers. It is the echors adapter (Echo v4,
// module github.com/oidcrs/oidcrs/adapters/echo) in Echo v5's idioms:
// *echo.Context, Config.ToMiddleware, and errors for an HTTPErrorHandler
// taking (c, err).
//
// Every decision is core's (ResourceServer.AuthenticateRequest, DPoP
// proofs included, and core.IsAnonymous for the optional mode); this
// package only adapts it to Echo.
// Following Echo's convention, failures are returned as errors for
// the application's HTTPErrorHandler to render. errors.As finds an
// *echo.HTTPError in them (Code the status, Message the fixed
// description), which wraps the error from core, so errors.Is matches the
// core sentinels; echo.StatusCode gives the status. The WWW-Authenticate,
// Retry-After, Cache-Control and Content-Type headers are set on the
// response first (core.Response.SetHeaders), so any handler keeps them.
// With Echo's default HTTPErrorHandler, exposeError or not, the answer is
// byte for byte what the other adapters write: Content-Type
// application/json and the JSON of core.ErrorBody followed by a newline.
// echo.ProblemDetailsHTTPErrorHandler renders an RFC 9457 problem with the
// same status and description.
//
//	e := echo.New()
//	echov5rs.RegisterRoutes(e, rs)
//	api := e.Group("/api", echov5rs.Middleware(rs))
//	api.GET("/me", func(c *echo.Context) error {
//		ti, _ := echov5rs.TokenInfo(c)
//		return c.JSON(http.StatusOK, map[string]string{"sub": ti.Subject, "audience": echov5rs.OriginAudience(c)})
//	})
//	api.GET("/admin", adminHandler, echov5rs.RequireScopes(rs, core.AnyScope("admin")))
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
// ResourceServer, at setup rather than on every request (Config.ToMiddleware
// returns an error). Error descriptions are fixed library strings, also in
// the bodies rendered with exposeError; tokens and Authorization headers
// are never logged. The verified token travels in the request's context,
// not in Echo's key store, so it cannot be overwritten by c.Set.
package echov5rs
