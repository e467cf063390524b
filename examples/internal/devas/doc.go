// Package devas is a DEVELOPMENT-ONLY OAuth 2.0 authorization server that
// the examples start, on loopback, when OIDC_OP_URL is not set, so that an
// MCP client (or any OAuth client) can log in to them with nothing else
// installed. It never starts when OIDC_OP_URL is set.
//
// It serves what the MCP authorization specification (2025-11-25) asks of
// an authorization server, and no more:
//
//   - RFC 8414 metadata at /.well-known/oauth-authorization-server;
//   - RFC 7591 dynamic client registration at /register, for public
//     clients (token_endpoint_auth_method "none") whose redirect URIs are
//     loopback http URIs;
//   - the authorization code grant with PKCE (RFC 7636, S256 only) at
//     /authorize and /token;
//   - RFC 8707 resource indicators: the resource asked for becomes the
//     token's aud, and only the resources of Config.Resources are served;
//   - scopes as requested, within Config.Scopes.
//
// Consent: there are no users and no login page. Every authorization is
// approved by itself, as the fixed subject Config.Subject, because every
// registered redirect URI is on loopback, that is, on the developer's own
// machine; /authorize answers with a direct 302 to the client, whose body
// and the log (at Info) say that the approval was automatic.
//
// The access tokens themselves are minted by Config.Mint (the examples
// pass the fake authorization server of oidcrstest, which the resource
// server introspects), so this package holds no keys.
//
// # Security
//
// This is not an authorization server to deploy: it authenticates nobody
// and approves everything. It listens on loopback only and refuses any
// other address; it never logs a token, a code or a verifier. Codes live
// one minute and are used once; registrations and codes are kept in
// memory and lost at exit.
package devas
