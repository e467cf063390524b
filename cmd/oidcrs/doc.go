// Command oidcrs is the command for the operators of an OAuth 2.0 resource
// server built with github.com/oidcrs/oidcrs. Install it with
//
//	go install github.com/oidcrs/oidcrs/cmd/oidcrs@latest
//
// Usage:
//
//	oidcrs keygen [-type RSA|EC] [-bits N] [-curve NAME] [-append FILE] [-out FILE]
//	oidcrs jwks
//	oidcrs check [-json]
//	oidcrs explain [-json] < token-file
//	oidcrs -h | oidcrs COMMAND -h
//
// jwks, check and explain read the settings from the environment as
// core.NewFromEnv does (OIDC_RS_BACKEND_CLASS, OIDC_RS_CLIENT_ID,
// OIDC_OP_URL, ...; see docs/configuration.md) and decide through core's
// own entry points (core.New, Authenticate, ErrorResponse, JWKSHandler):
// what they say is what an API would do. The shared cache
// (OIDC_RS_CACHE_URL) is neither read nor checked.
//
// keygen prints a new private key as PKCS#8 PEM, ready for
// OIDC_RS_PRIVATE_KEY_STR; -out writes it to a file of mode 0600, replaced
// atomically. With -append FILE ("-": stdin) it prints FILE's keys first,
// then the new one, of the same type and size unless told otherwise: the
// set for a rotation. /jwks publishes every key in order, the authorization
// server encrypts to the first one whose alg fits, and an answer is
// decrypted with the key its JWE kid names. So, without downtime:
//
//  1. oidcrs keygen -append keys.pem -out keys.pem, and deploy "old, new" to
//     every replica: the AS still encrypts to old, all can decrypt new.
//  2. Move the new key first, and deploy "new, old": the AS switches to new
//     when it fetches /jwks again.
//  3. Once the AS's copy of /jwks has expired (oidcrs sends max-age=300),
//     deploy "new" alone.
//
// jwks prints the public key set that /jwks serves; when the key is
// missing or wrong, the reference's message and why.
//
// check prints one line per step, ✓ or ✗, with what to fix; a step whose
// input failed is not run: settings (every problem at once); discovery
// (when an endpoint is not set); AS JWKS (an alg of OIDC_RS_SIGNING_ALGO
// is offered); introspection (a made-up token, whose inactive answer
// proves the credentials; the AS's own error and error_description when it
// refuses); JWT answer (it decrypts with our key and verifies).
//
// explain reads one access token from stdin ("Bearer " before it is
// allowed; a terminal is prompted, a pipe or file is not), makes the
// decision an API would make, and prints the answer an API would send,
// the cause, and for an accepted token its claims (sub, scope, audience,
// client_id, iss, exp; the others by name only).
//
// Exit status: 0 on success (every check passed, the token is accepted); 1
// when a check failed or the token is refused (an authorization server
// failure included); 2 on bad usage, or when jwks, keygen or explain cannot
// run with the configuration.
//
// # Security
//
// explain reads the token from stdin only, never from the command line
// (shell history, ps), and does not repeat a misplaced argument. No command
// prints a token, the client secret or a private key: keygen's output is the
// new private key, to stdout or to a file of mode 0600; the settings and
// errors printed are core's, which redact them; explain also removes the
// token from any text it prints. check sends the authorization server a
// made-up random token, never a real one.
package main
