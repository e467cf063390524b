// Package tlstest issues X.509 certificates for tests that run TLS with
// client certificates, such as those of certificate-bound access tokens
// (RFC 8705, https://www.rfc-editor.org/rfc/rfc8705): a CA of the test's
// own (NewCA), server certificates for loopback addresses or names
// (CA.Server), client certificates (CA.Client), and a pool that trusts
// the CA (CA.Pool). Keys are ECDSA P-256; certificates are valid from an
// hour before to an hour after they are issued.
//
// It is a test fixture: it imports testing and fails the test on any
// error, and no production code imports it. It is internal, so that
// every module of this repository can share it and no user depends on it.
//
// # Security
//
// The keys are generated for each test and never written to disk; a
// certificate is worth nothing outside the test that issued it.
package tlstest
