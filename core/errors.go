package core

import (
	"errors"
	"strings"
)

// The sentinel errors below classify every failure of Authenticate. Match
// them with errors.Is; ErrorResponse maps each to its HTTP answer.
var (
	// ErrMissingToken means the request carried no bearer token: 401 with a
	// bare Bearer challenge (RFC 6750 section 3.1).
	ErrMissingToken = errors.New("oidcrs: no bearer token")
	// ErrInvalidRequest means the Authorization header is malformed: 400
	// invalid_request.
	ErrInvalidRequest = errors.New("oidcrs: malformed authorization request")
	// ErrInvalidToken means the token is inactive, expired, or otherwise not
	// acceptable: 401 invalid_token.
	ErrInvalidToken = errors.New("oidcrs: invalid token")
	// ErrInsufficientScope means the token lacks a required scope: 403
	// insufficient_scope.
	ErrInsufficientScope = errors.New("oidcrs: insufficient scope")
	// ErrUnavailable means the authorization server could not be asked: it is
	// unreachable, timed out, or answered 5xx, 429 or another unexpected
	// status: 503.
	ErrUnavailable = errors.New("oidcrs: authorization server unavailable")
	// ErrBadResponse means the authorization server answered but its answer
	// cannot be read or trusted (bad JSON, failed decryption or signature,
	// wrong issuer or audience of the response): 502.
	ErrBadResponse = errors.New("oidcrs: untrusted authorization server response")
	// ErrMisconfigured means the resource server has no usable settings; it
	// fails closed: 401.
	ErrMisconfigured = errors.New("oidcrs: resource server improperly configured")
)

// The client-facing descriptions. They are fixed library strings, most of
// them the reference implementation's messages; an error's cause never
// reaches a client.
const (
	DescMissingToken       = "Authentication credentials were not provided."
	DescMalformedHeader    = "Invalid Authorization header."
	DescFetchFailed        = "Could not fetch introspection"
	DescInvalidJSON        = "Invalid JSON for introspection"
	DescDecryptionFailed   = "Token decryption failed"
	DescJWKSFailed         = "Could not get authorization server JWKS"
	DescDecodingFailed     = "Token decoding failed"
	DescInvalidClaims      = "Failed to validate token's claims"
	DescInactive           = "Introspected user is not active"
	DescMissingScope       = "Token introspection failed due to missing 'scope' claim."
	DescScopesMismatch     = "Introspection response is missing required scopes."
	DescMissingAudience    = "Introspection response does not provide source audience."
	DescExpired            = "Token has expired."
	DescNotYetValid        = "Token is not valid yet."
	DescNoSubject          = "User info contained no recognizable user identification"
	DescNoUser             = "Login failed: No user found for the given access token."
	DescMisconfigured      = "Resource Server is improperly configured"
	DescInsufficientScope  = "The request requires higher privileges than provided by the access token."
	DescUpstreamRejected   = "The authorization server rejected the token."
	DescUserLookupFailed   = "Could not look up the user."
	DescInternal           = "Internal error."
	maxUpstreamDescription = 200
)

// Error is the error Authenticate returns. Kind is one of the sentinel errors
// and Description a fixed, client-safe string; Err is the internal cause,
// for logs only.
type Error struct {
	// Kind is the sentinel that classifies the error (ErrInvalidToken, ...).
	Kind error
	// Description is the client-facing error_description.
	Description string
	// Scope lists the required scopes of an ErrInsufficientScope, space
	// separated, for the WWW-Authenticate scope attribute.
	Scope string
	// RetryAfter is the authorization server's Retry-After value, passed on
	// with ErrUnavailable when it was well-formed.
	RetryAfter string
	// Err is the cause. It may contain details that must not reach a
	// client; it never contains the token.
	Err error
}

// Error describes the failure for logs; it is not meant for clients.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	} else {
		b.WriteString("oidcrs: error")
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel kind and the cause, so that errors.Is matches
// both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newError(kind error, desc string, cause error) *Error {
	return &Error{Kind: kind, Description: desc, Err: cause}
}

// sanitizeDescription keeps an upstream error_description only when it fits
// RFC 6750's error_description character set and a short length, so that it
// can be quoted in WWW-Authenticate without escaping.
func sanitizeDescription(s string) (string, bool) {
	if s == "" || len(s) > maxUpstreamDescription {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", false
		}
	}
	return s, true
}
