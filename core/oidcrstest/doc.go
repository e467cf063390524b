// Package oidcrstest is a fake OAuth 2.0 authorization server on loopback,
// for tests and for development: it mints opaque tokens and answers their
// introspection as RFC 7662 JSON or as RFC 9701 JWTs (signed, then
// encrypted to the resource server's key, as node oidc-provider does),
// serves its signing keys, and misbehaves on demand (Fault) so that tests
// can check how a resource server fails.
//
// Start ties a Server to a test (anything with Helper, Fatalf and Cleanup,
// such as *testing.T); New starts one that the caller closes. The package
// does not import testing, so that a binary may embed the server as a
// development authorization server.
//
// # Security
//
// It is a test double: its client secret, tokens and keys are throw-away
// values, it listens on 127.0.0.1 unless Config.Addr says otherwise, and
// it must never stand in for a real authorization server.
package oidcrstest
