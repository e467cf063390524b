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
	descTokenType         = "The token is not a JWT access token of an accepted typ."
	descTokenEncrypted    = "Encrypted JWT access tokens are not supported."
	descTokenSignature    = "The access token signature is invalid."
	descWrongResource     = "The access token was not issued for this resource"
	descUnknownIssuer     = "The access token's issuer is not trusted."
	descNotAccessToken    = "The token is not an access token."

	// Sender-constrained tokens (RFC 9449 DPoP, RFC 8705 certificates).
	descInvalidProof   = "Invalid DPoP proof"
	descKeyBinding     = "Invalid DPoP key binding"
	descNotBound       = "The access token is not bound to a DPoP key."
	descBoundAsBearer  = "The access token is sender-constrained: it was sent without its proof of possession."
	descUnknownBinding = "The access token is bound by a method this resource server cannot check."
	descDPoPRequired   = "This resource requires DPoP-bound access tokens."
	descProofUnchecked = "Could not check the DPoP proof"
	descCertBinding    = "The access token is bound to a client certificate that the request did not present."

	// A JWT access token checked locally is refused with these, not with
	// the introspection texts above: no introspection took place.
	descTokenMissingScope    = "The access token has no scope claim."
	descTokenScopesMismatch  = "The access token is missing required scopes."
	descTokenMissingAudience = "The access token does not provide source audience."
)

// The reference's key error messages, answered by /jwks and used in
// settings errors.
const (
	msgKeyMissing = pemkeys.MsgMissing // from the key parser both share
	msgKeyWrong   = pemkeys.MsgWrong
	msgKeyLoad    = "Could not load key"
)
