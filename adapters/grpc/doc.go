// Package grpcrs makes a gRPC service an OAuth 2.0 resource server with
// oidcrs's core.ResourceServer: UnaryServerInterceptor and
// StreamServerInterceptor authenticate the bearer token of each call
// (RFC 6750, RFC 7662 or RFC 9701 introspection), WithScopes adds
// per-method scope rules, and TokenInfo, OriginAudience and User read the
// result in handlers.
//
// Every decision is core's: the interceptors hand rs.AuthenticateRequest
// every value of the call's "authorization" and "dpop" metadata, so the
// token rules are exactly HTTP's (the Bearer scheme, RFC 6750's
// characters, the base64 rule, the 8 KiB limit; two values are
// malformed; a DPoP-bound token's proof names POST and the method's
// path, "/pkg.Service/Method"), then run the method's
// ScopeRequirement.Check; core.IsAnonymous decides the optional mode.
// This package only translates the answer that core.ResourceServer's
// ErrorResponse would send over HTTP:
//
//	core error            HTTP  gRPC code         trailer
//	ErrMissingToken       401   Unauthenticated   www-authenticate: Bearer realm="oidcrs"
//	ErrMisconfigured      401   Unauthenticated   www-authenticate: Bearer realm="oidcrs"
//	ErrInvalidToken       401   Unauthenticated   www-authenticate: Bearer ..., error="invalid_token", ...
//	ErrInvalidRequest     400   InvalidArgument   www-authenticate: Bearer ..., error="invalid_request", ...
//	ErrInsufficientScope  403   PermissionDenied  www-authenticate: Bearer ..., error="insufficient_scope", ..., scope="..."
//	ErrUnavailable        503   Unavailable       retry-after, when the authorization server sent one
//	ErrBadResponse        502   Internal
//	(an error not core's) 500   Internal
//
// A method's step-up rule (core.RequireAuthentication) refuses with
// ErrInsufficientUserAuthentication, a 401: Unauthenticated, its
// www-authenticate naming error="insufficient_user_authentication",
// acr_values and max_age (RFC 9470), as over HTTP.
//
// The status message is the fixed description of the HTTP answer's body
// (error_description), never an internal error text. The RFC 6750
// challenge travels as "www-authenticate" trailing metadata; with
// Settings.Resource, its 401 and 403 challenges carry
// resource_metadata="<the metadata's URL>" after realm, as over HTTP.
//
// An answer from the authorization server that cannot be read or trusted
// (ErrBadResponse: bad JSON, a failed decryption or signature, a wrong
// issuer) is Internal, not Unavailable. Unavailable tells a client that
// retrying will likely help, and retry policies commonly retry it
// automatically; here a retry would only ask the authorization server the
// same question and get the same untrusted answer (failures are never
// cached), while the cause, a misconfiguration or a forged answer, needs
// an operator. It is also the code gRPC gives a message it cannot parse.
// Neither code tells the client its token is bad: it keeps it. Keeping
// one code per HTTP status also keeps the two verdicts apart.
//
// # Streams
//
// A stream is authenticated once, at its start: a token that expires, or
// is revoked, mid-stream does not end the stream. RecheckStreams makes the
// stream interceptor decide again before each message sent and after each
// message received, and end the stream with the status of the first
// failure.
//
//	opts := []grpcrs.Option{grpcrs.WithScopes("/shop.Orders/Cancel", core.AnyScope("admin"))}
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs, opts...)),
//		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs, opts...)),
//	)
//	// in a handler:
//	ti, _ := grpcrs.TokenInfo(ctx)
//
// The resource server's public keys, which an authorization server
// answering RFC 9701 JWTs fetches, are served over HTTP: mount
// rs.JWKSHandler() at /jwks on an HTTP listener beside the gRPC one, and,
// with Settings.Resource, rs.MetadataHandler() at rs.MetadataPath() (the
// RFC 9728 protected-resource metadata, whose scopes_supported lists the
// WithScopes rules' scopes).
//
// # Security
//
// Authentication is required by default and fails closed: a missing,
// malformed, inactive or expired token, or an authorization server that
// cannot be asked, ends the call before the handler runs. Optional and
// OptionalMethods let calls without any bearer token through anonymously,
// but a bad token is still rejected; a handler behind them must check
// TokenInfo's ok result. WithSkipper lets calls through unexamined: keep
// it to public methods. Method names given to OptionalMethods and
// WithScopes must be full names; another form panics at setup, and a
// method whose rule is set under another name has no rule. The
// interceptors panic on a nil ResourceServer, at setup. Messages are fixed
// library strings; tokens and authorization metadata are never logged.
package grpcrs
