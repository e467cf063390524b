// Package mcprs protects an MCP server built on the official Go SDK
// (github.com/modelcontextprotocol/go-sdk) with oidcrs, as the MCP
// authorization specification asks of every MCP server: RFC 9728
// protected-resource metadata, 401 challenges that point at it, tokens
// accepted only when issued for this server (RFC 8707), and 403
// insufficient_scope with the scope needed.
//
// Protect wraps the SDK's streamable HTTP handler in one call. oidcrs
// decides first and answers every failure the RFC 6750 way (400 for a
// malformed header, 401 with resource_metadata, 403 with scope, 503 when
// the authorization server is down: never the SDK's 500), with
// introspection, RFC 9701, local JWT access tokens and the verdict cache.
// Then the SDK's own auth.RequireBearerToken runs, with a verifier that
// only reads the verdict oidcrs put in the request context: one check per
// request, and the SDK's auth.TokenInfo filled for tools and sessions
// (UserID is sub, which binds sessions to their user).
//
// Tools read the caller with TokenInfo and check finer scopes with
// CheckScopes. RegisterRoutes mounts the metadata and /jwks.
//
// # Security
//
// Protect panics at setup on a nil ResourceServer. Without
// Settings.Resource the MCP authorization specification cannot be met
// (no metadata, no audience check): Protect panics then too.
package mcprs
