// Package httpclient builds the client that talks to the authorization
// server, for core and for the oidcrs command alike, and reads its
// answers within bounds.
//
// # Security
//
// The client follows no redirect (a redirected POST would lose its body
// and credentials; a 3xx is an unexpected status), verifies TLS unless
// told otherwise (OIDC_VERIFY_SSL=false) and bounds every call by a
// timeout. Every body read is bounded by MaxBody. Transport errors are
// rewritten without the URL, which net/http puts in its messages.
package httpclient
