// Package algs holds the JOSE algorithms the resource server accepts, and
// their parsers: the JWS algs of OIDC_RS_SIGNING_ALGO, the key encryption
// algs of OIDC_RS_ENCRYPTION_ALGO and the content encryptions of
// OIDC_RS_ENCRYPTION_ENCODING. core and the oidcrs command read them
// here, so that both accept the same values.
//
// # Security
//
// "none" and the HMAC algs are never accepted for signatures (a public
// key would verify as an HMAC secret), nor RSA1_5 for key encryption
// (RFC 8725 section 3.2).
package algs
