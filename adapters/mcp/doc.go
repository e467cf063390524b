// Package mcprs protects an MCP server built on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk) with oidcrs, as the MCP
// authorization specification asks of every MCP server: RFC 9728
// protected-resource metadata, 401 challenges that point at it, tokens
// accepted only when issued for this server (RFC 8707), and 403
// insufficient_scope with the scope needed.
//
// Protect wraps the SDK's streamable HTTP handler in one call. oidcrs
// decides first, on every request, and answers every failure the RFC 6750
// way (400 for a malformed header, 401 with resource_metadata, 403 with
// scope, 503 when the authorization server is down: never the SDK's 500),
// with introspection, RFC 9701, local JWT access tokens and the verdict
// cache. Then the SDK's own auth.RequireBearerToken runs, with a verifier
// that only reads the verdict oidcrs put in the request context: one
// check per request, and the SDK's auth.TokenInfo filled for tools and
// sessions.
//
// # Revisions
//
// NewStreamableHandler serves clients of MCP 2025-11-25 (and older) and of
// 2026-07-28 from one endpoint: the older revisions open a session with
// initialize, and get the SDK's stateful transport; 2026-07-28 has no
// sessions, and its requests, which carry Mcp-Protocol-Version, go to a
// stateless one. The same checks, challenges and statuses apply to both.
//
// # Sessions
//
// The stateful transport binds a session to the auth.TokenInfo.UserID of
// the request that opened it, and answers 403 to a later request of the
// session whose token yields another UserID. UserID is therefore not the
// bare sub (two authorization servers trusted through core.WithIssuer may
// both have a user-1) but the issuer and the user, written
//
//	sub "https://as.example" "user-1"
//
// the kind, then the iss claim and the value, each quoted as
// strconv.Quote does, so that no pair of strings can imitate another. A
// token without sub (client_credentials) is bound by client_id instead
// (client_id "https://as.example" "billing-job"), and one with neither by
// a SHA-256 of the token (token "..." "<hex>"): only that token can use
// its session. Tools read sub and client_id from the token info's Extra
// or from TokenInfo, not from UserID.
//
// Tools read the caller with TokenInfo and check finer scopes with
// CheckScopes. RegisterRoutes mounts the metadata and /jwks.
//
// # Security
//
// Protect panics at setup on a nil ResourceServer. Without
// Settings.Resource the MCP authorization specification cannot be met
// (no metadata, no audience check): Protect panics then too. The
// revision a request names chooses a transport, never whether its token
// is checked.
package mcprs
