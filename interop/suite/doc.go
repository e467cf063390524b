// Package suite holds the interop tests of oidcrs against a real
// authorization server: node oidc-provider 9.13.3, started by package
// asproc on 127.0.0.1. It has no code of its own; see its _test.go files.
//
// Every case runs through every app builder (core's net/http middleware,
// the Gin, Echo v4, Echo v5 and Chi adapters, and the gRPC adapter's unary
// and stream interceptors behind an HTTP-to-gRPC bridge) and, where it
// applies, through both introspection backends: RFC 7662 JSON and RFC 9701
// signed-then-encrypted JWT. The resource servers are configured the way
// a user would, from the reference's environment variable names
// (core.SettingsFromEnv), and each serves its /jwks on an httptest server
// that the authorization server fetches as the client's jwks_uri.
//
// Run it alone with
//
//	cd interop/as && npm ci && cd ../.. && go test -race ./interop/...
//
// Without Node.js or the npm install the tests skip, except under CI=true
// where they fail.
package suite
