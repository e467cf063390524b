package core

import (
	"errors"
	"net/http"
)

// challengeKind is what WWW-Authenticate an error class answers with.
type challengeKind uint8

const (
	challengeNone  challengeKind = iota // no WWW-Authenticate
	challengeBare                       // Bearer realm (and resource_metadata), no error
	challengeError                      // Bearer realm, error, error_description (and scope)
)

// errorClass is one row of the error table: a sentinel and its answer.
type errorClass struct {
	kind       error
	status     int
	code       string // the body's error, and the challenge's with challengeError
	challenge  challengeKind
	metadata   bool // the challenge points at the RFC 9728 metadata
	retryAfter bool // the upstream Retry-After is passed on
}

// errorTable maps every sentinel to its HTTP answer: ErrorResponse and the
// monitor's decisions both read it, so a status is decided in one place.
var errorTable = [...]errorClass{
	{kind: ErrMissingToken, status: http.StatusUnauthorized, code: "unauthorized", challenge: challengeBare, metadata: true},
	{kind: ErrMisconfigured, status: http.StatusUnauthorized, code: "unauthorized", challenge: challengeBare, metadata: true},
	{kind: ErrInvalidRequest, status: http.StatusBadRequest, code: "invalid_request", challenge: challengeError},
	{kind: ErrInvalidToken, status: http.StatusUnauthorized, code: "invalid_token", challenge: challengeError, metadata: true},
	{kind: ErrInsufficientScope, status: http.StatusForbidden, code: "insufficient_scope", challenge: challengeError, metadata: true},
	{kind: ErrUnavailable, status: http.StatusServiceUnavailable, code: "temporarily_unavailable", retryAfter: true},
	{kind: ErrBadResponse, status: http.StatusBadGateway, code: "server_error"},
	{kind: ErrInsufficientUserAuthentication, status: http.StatusUnauthorized, code: "insufficient_user_authentication",
		challenge: challengeStepUp, metadata: true},
	{kind: ErrInvalidDPoPProof, status: http.StatusUnauthorized, code: "invalid_dpop_proof", challenge: challengeError, metadata: true},
}

// classOf returns the row of kind, matched with errors.Is, or nil when
// kind is none of the sentinels.
func classOf(kind error) *errorClass {
	for i := range errorTable {
		if errors.Is(kind, errorTable[i].kind) {
			return &errorTable[i]
		}
	}
	return nil
}

// statusOf is the status ErrorResponse answers for kind: 500 for an error
// that is not one of ours.
func statusOf(kind error) int {
	if c := classOf(kind); c != nil {
		return c.status
	}
	return http.StatusInternalServerError
}
