// Package connectrs makes a Connect service (connectrpc.com/connect) an
// OAuth 2.0 resource server with oidcrs's core.ResourceServer:
// NewInterceptor authenticates the bearer token of each call, unary and
// streaming (RFC 6750, RFC 7662 or RFC 9701 introspection), WithScopes
// adds per-procedure scope rules, and TokenInfo, OriginAudience and User
// read the result in handlers. It serves the Connect, gRPC and gRPC-Web
// protocols alike, as Connect handlers do.
//
// Every decision is core's: the interceptor hands rs.AuthenticateRequest
// every value of the request's Authorization and DPoP headers, so the
// token rules are exactly HTTP's (the Bearer scheme, RFC 6750's
// characters, the base64 rule, the 8 KiB limit; two values are
// malformed; a DPoP-bound token's proof names POST and the procedure's
// path), then runs the
// procedure's rules through rs.CheckScopes, which reports each refusal to
// the Observer; core.IsAnonymous decides the optional mode. This package
// only translates the answer that core.ResourceServer's ErrorResponse
// would send over HTTP, as adapters/grpc does:
//
//	core error            HTTP  Connect code       metadata
//	ErrMissingToken       401   Unauthenticated    WWW-Authenticate: Bearer realm="oidcrs"
//	ErrMisconfigured      401   Unauthenticated    WWW-Authenticate: Bearer realm="oidcrs"
//	ErrInvalidToken       401   Unauthenticated    WWW-Authenticate: Bearer ..., error="invalid_token", ...
//	ErrInvalidRequest     400   InvalidArgument    WWW-Authenticate: Bearer ..., error="invalid_request", ...
//	ErrInsufficientScope  403   PermissionDenied   WWW-Authenticate: Bearer ..., error="insufficient_scope", ..., scope="..."
//	ErrUnavailable        503   Unavailable        Retry-After, when the authorization server sent one
//	ErrBadResponse        502   Internal
//	(an error not core's) 500   Internal
//
// A method's step-up rule (core.RequireAuthentication) refuses with
// ErrInsufficientUserAuthentication, a 401: Unauthenticated, its
// WWW-Authenticate naming error="insufficient_user_authentication",
// acr_values and max_age (RFC 9470), as over HTTP.
//
// The error's message is the fixed description of the HTTP answer's body
// (error_description), never an internal error text. The RFC 6750
// challenge is the error's metadata: Connect sends it as a response
// header on a unary call of the Connect protocol (whose HTTP status is
// then Connect's for the code: 400, 401, 403, 503 or 500, so that a plain
// HTTP client sees the challenge it expects), in the end-of-stream
// metadata of a Connect stream, and as a trailer over gRPC-Web. Over the
// gRPC protocol it is a response header, where Connect clients read it
// too (connect.Error.Meta): net/http refuses to send WWW-Authenticate as
// a trailer, which grpc-go's own server, behind grpcrs, does. So a stream that fails a recheck
// (RecheckStreams) after its first message, when the headers are gone,
// ends over gRPC without the challenge; the code and message still say
// why. With Settings.Resource, the 401 and 403 challenges carry
// resource_metadata="<the metadata's URL>" after realm, as over HTTP.
// Internal, not Unavailable, answers an authorization server's answer
// that cannot be trusted: package grpcrs's documentation says why.
//
// # Streams
//
// A stream is authenticated once, at its start: a token that expires, or
// is revoked, mid-stream does not end the stream. RecheckStreams makes the
// interceptor decide again before each message sent and after each
// message received, and end the stream with the error of the first
// failure.
//
//	interceptor := connectrs.NewInterceptor(rs,
//		connectrs.WithScopes("/shop.v1.Orders/Cancel", core.AnyScope("admin")))
//	mux.Handle(shopv1connect.NewOrdersHandler(srv, connect.WithInterceptors(interceptor)))
//	// in a handler:
//	ti, _ := connectrs.TokenInfo(ctx)
//
// Connect serves over net/http, so the same mux can serve the resource
// server's public keys, which an authorization server answering RFC 9701
// JWTs fetches (rs.JWKSHandler() at /jwks), and, with Settings.Resource,
// the RFC 9728 protected-resource metadata (rs.MetadataHandler() at
// rs.MetadataPath(), whose scopes_supported lists the WithScopes rules'
// scopes).
//
// # Security
//
// Authentication is required by default and fails closed: a missing,
// malformed, inactive or expired token, or an authorization server that
// cannot be asked, ends the call before the handler runs. Optional and
// OptionalProcedures let calls without any bearer token through
// anonymously, but a bad token is still rejected; a handler behind them
// must check TokenInfo's ok result. WithSkipper lets calls through
// unexamined: keep it to public procedures. Procedure names given to
// OptionalProcedures and WithScopes must be full names; another form
// panics at setup, and a procedure whose rule is set under another name
// has no rule. The interceptor guards the handlers it is installed on
// (connect.WithInterceptors on each handler, or on every one), and
// nothing else on the mux. NewInterceptor panics on a nil
// ResourceServer, at setup. Messages are fixed library strings; tokens
// and Authorization headers are never logged. A token bound to a client
// certificate (RFC 8705) passes only when the handler is wrapped with
// WithClientTLS, which hands the interceptor the TLS connection.
package connectrs
