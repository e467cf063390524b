package adaptertest

// The error descriptions that clients see. core keeps its own copies
// unexported: they are behaviour, which the conformance suite checks byte
// for byte, not API. A change of wording in core must show here as a
// failing case.
const (
	descMissingToken      = "Authentication credentials were not provided."
	descMalformedHeader   = "Invalid Authorization header."
	descInactive          = "Introspected user is not active"
	descFetchFailed       = "Could not fetch introspection"
	descInvalidJSON       = "Invalid JSON for introspection"
	descDecryptionFailed  = "Token decryption failed"
	descInvalidClaims     = "Failed to validate token's claims"
	descExpired           = "Token has expired."
	descMissingAudience   = "Introspection response does not provide source audience."
	descScopesMismatch    = "Introspection response is missing required scopes."
	descMissingScope      = "Token introspection failed due to missing 'scope' claim."
	descInsufficientScope = "The request requires higher privileges than provided by the access token."
	descNoUser            = "Login failed: No user found for the given access token."
	descNoSubject         = "User info contained no recognizable user identification"
	descMisconfigured     = "Resource Server is improperly configured"
	descWrongResource     = "The access token was not issued for this resource"
	descInvalidProof      = "Invalid DPoP proof"
	descKeyBinding        = "Invalid DPoP key binding"
	descNotBound          = "The access token is not bound to a DPoP key."
	descBoundAsBearer     = "The access token is sender-constrained: it was sent without its proof of possession."
)
