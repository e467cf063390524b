// Package core makes an HTTP API an OAuth 2.0 resource server: for each
// request it takes the bearer token (RFC 6750), asks the authorization
// server about it by token introspection (RFC 7662 JSON, or RFC 9701 JWT
// answers signed then encrypted to the resource server's key), checks
// active, issuer, scopes, audience and expiry, and hands the handler a
// typed TokenInfo and the token's origin audience.
//
// It ports django-lasuite's oidc_resource_server: the environment variables
// keep the reference's names (see SettingsFromEnv) and the error
// descriptions its messages. It imports no web framework; the adapters in
// adapters/gin, adapters/echo, adapters/echov5, adapters/chi, adapters/grpc
// and adapters/mcp wrap ResourceServer, and its Middleware serves net/http
// directly. Beside introspection it checks RFC 9068 JWT access tokens
// locally (BackendJWTAccessToken, Settings.LocalJWT), serves the RFC 9728
// protected-resource metadata (Settings.Resource), shares verdicts between
// replicas (WithSharedCache), and reports what it does (WithObserver).
//
// # One decision
//
// ResourceServer.Authenticate is the one entry point, whatever carries the
// request (net/http, an adapter, gRPC, a queue consumer): it takes the
// values of the Authorization header, then the cache (keyed by a keyed
// hash of the token bound to the settings), then one introspection
// call shared by concurrent requests with the same token, then the claim
// checks, then the optional WithUserLookup hook. It returns a context
// carrying the TokenInfo (FromContext) and the user (UserFromContext).
// ResourceServer.ErrorResponse maps every error to its status,
// WWW-Authenticate header and JSON body, and Response.Write writes it.
//
// # Security
//
// Everything fails closed: an authorization server that is down, slow or
// answering nonsense never lets a request through (503 or 502, never
// invalid_token, so clients keep good tokens). Only the configured JWE alg
// and enc and the configured JWS alg are accepted; "none" and HMAC never
// are; zip and crit JWE headers are refused; an RFC 9701 answer must carry
// an iat no older than Settings.JWTMaxAge. The private keys are parsed once
// at start-up and only their public halves are served. Tokens, the client
// secret, the keys and Authorization headers are never logged; printing a
// ResourceServer or Settings redacts. A cached verdict is never used past
// the token's exp, and never by a server whose verdict-affecting settings
// differ; Settings.CacheTTL bounds how long a revoked token may still be
// accepted (DisableCache restores the reference's introspect-every-time).
// Returned errors are immutable: no caller can change a later answer.
//
// References: RFC 6750, RFC 7662, RFC 9701, RFC 7516, RFC 7515, RFC 7638.
package core
