package core

import "github.com/oidcrs/oidcrs/internal/pemkeys"

// The client-facing descriptions. They are fixed library strings, most of
// them the reference implementation's messages; an error's cause never
// reaches a client. They are behaviour, tested through export_test.go, not
// API.
const (
	descMissingToken      = "Authentication credentials were not provided."
	descMalformedHeader   = "Invalid Authorization header."
	descFetchFailed       = "Could not fetch introspection"
	descInvalidJSON       = "Invalid JSON for introspection"
	descDecryptionFailed  = "Token decryption failed"
	descJWKSFailed        = "Could not get authorization server JWKS"
	descDecodingFailed    = "Token decoding failed"
	descInvalidClaims     = "Failed to validate token's claims"
	descInactive          = "Introspected user is not active"
	descMissingScope      = "Token introspection failed due to missing 'scope' claim."
	descScopesMismatch    = "Introspection response is missing required scopes."
	descMissingAudience   = "Introspection response does not provide source audience."
	descExpired           = "Token has expired."
	descNotYetValid       = "Token is not valid yet."
	descNoSubject         = "User info contained no recognizable user identification"
	descNoUser            = "Login failed: No user found for the given access token."
	descMisconfigured     = "Resource Server is improperly configured"
	descInsufficientScope = "The request requires higher privileges than provided by the access token."
	descUpstreamRejected  = "The authorization server rejected the token."
	descUserLookupFailed  = "Could not look up the user."
	descInternal          = "Internal error."
	descDiscoveryFailed   = "Could not read the authorization server's metadata"
	descTokenMalformed    = "The access token is malformed."
	descTokenType         = "The token is not a JWT access token (typ at+jwt)."
	descTokenEncrypted    = "Encrypted JWT access tokens are not supported."
	descTokenSignature    = "The access token signature is invalid."
	descWrongResource     = "The access token was not issued for this resource"
	descUnknownIssuer     = "The access token's issuer is not trusted."
)

// The reference's key error messages, answered by /jwks and used in
// settings errors.
const (
	msgKeyMissing = pemkeys.MsgMissing // from the key parser both share
	msgKeyWrong   = pemkeys.MsgWrong
	msgKeyLoad    = "Could not load key"
)
