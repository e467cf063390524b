package core

import (
	"errors"
	"strings"
)

// The sentinel errors below classify every failure of Authenticate. Match
// them with errors.Is; ResourceServer.ErrorResponse maps each to its HTTP
// answer. The errors Authenticate returns wrap one of them and are fresh or
// immutable: no caller can change what a later request is answered.
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
	// wrong issuer or audience of the response, a stale RFC 9701 answer):
	// 502.
	ErrBadResponse = errors.New("oidcrs: untrusted authorization server response")
	// ErrMisconfigured means the resource server has no usable settings; it
	// fails closed: 401.
	ErrMisconfigured = errors.New("oidcrs: resource server improperly configured")
	// ErrInsufficientUserAuthentication means the token's user
	// authentication is not strong or recent enough for the route
	// (RequireAuthentication, RFC 9470): 401
	// insufficient_user_authentication, with acr_values and max_age.
	ErrInsufficientUserAuthentication = errors.New("oidcrs: insufficient user authentication")
	// ErrInvalidDPoPProof means the request's DPoP proof (RFC 9449) is
	// missing, malformed, replayed, or does not match the request or the
	// token: 401 invalid_dpop_proof, on the DPoP challenge.
	ErrInvalidDPoPProof = errors.New("oidcrs: invalid DPoP proof")
)

// authError is the error Authenticate returns. Its fields are unexported,
// so a value shared between requests (the package-level ones below, or a
// cached rejection) cannot be changed by a caller. kind is one of the
// sentinels, desc a fixed client-safe string; cause is for logs only.
type authError struct {
	kind       error
	desc       string // the client-facing error_description
	scope      string // a 403's failed rule: its scopes, space separated
	held       string // a 403's token: its scopes, space separated
	fromRoute  bool   // a 403: a per-route rule failed, not the server's
	retryAfter string // a well-formed upstream Retry-After, with ErrUnavailable
	acrValues  string // a step-up refusal: the route's acr values, space separated
	maxAge     string // a step-up refusal: the route's max age in seconds
	dpop       bool   // the request used the DPoP scheme: the error goes on its challenge
	cause      error  // never contains the token
}

// Error describes the failure for logs; it is not meant for clients.
func (e *authError) Error() string {
	var b strings.Builder
	b.WriteString(e.kind.Error())
	if e.desc != "" {
		b.WriteString(": ")
		b.WriteString(e.desc)
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel kind and the cause, so that errors.Is matches
// both.
func (e *authError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

func newError(kind error, desc string, cause error) *authError {
	return &authError{kind: kind, desc: desc, cause: cause}
}

// asError returns err when it is already one of ours, else wraps it with
// kind and desc.
func asError(err error, kind error, desc string) error {
	var e *authError
	if errors.As(err, &e) {
		return err
	}
	return newError(kind, desc, err)
}

// The malformed-request errors: one fixed answer to the client, a distinct
// cause each for the log.
var (
	errNoToken     = &authError{kind: ErrMissingToken, desc: descMissingToken}
	errEmptyToken  = malformed("Bearer scheme without a token")
	errTooLong     = malformed("Authorization header over 8 KiB")
	errBadChar     = malformed("a character outside RFC 6750 b64token")
	errTwoTokens   = malformed("two tokens after Bearer")
	errManyHeaders = malformed("two Authorization headers")
	errDisabled    = &authError{kind: ErrMisconfigured, desc: descMisconfigured}
	errNilServer   = newError(ErrMisconfigured, descMisconfigured, errors.New("nil *ResourceServer"))
)

func malformed(cause string) *authError {
	return newError(ErrInvalidRequest, descMalformedHeader, errors.New(cause))
}
