package core

import (
	"errors"
	"strconv"
)

// statusError is the cause of an unexpected HTTP status.
type statusError int

func (e statusError) Error() string { return "answered HTTP " + strconv.Itoa(int(e)) }

// endpointError names the endpoint whose call failed, in a cause's text
// ("jwks endpoint: request failed: ...") and for the monitor.
type endpointError struct {
	endpoint Endpoint
	err      error
}

func (e *endpointError) Error() string { return string(e.endpoint) + " endpoint: " + e.err.Error() }

func (e *endpointError) Unwrap() error { return e.err }

// atEndpoint marks err as a failure of a call to ep.
func atEndpoint(ep Endpoint, err error) error { return &endpointError{endpoint: ep, err: err} }

// endpointOf returns the endpoint that err names, if any.
func endpointOf(err error) (Endpoint, bool) {
	var e *endpointError
	if err == nil || !errors.As(err, &e) {
		return "", false
	}
	return e.endpoint, true
}

// outcomeOf classifies a call's end. A refusal of the token by the AS
// (invalid_token) is a working AS.
func outcomeOf(err error) string {
	switch {
	case err == nil || errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrInsufficientScope):
		return "ok"
	case errors.Is(err, ErrBadResponse):
		return "untrusted"
	case isStatusError(err):
		return "status"
	case errors.Is(err, errTimedOut):
		return "timeout"
	}
	return "refused"
}

// isStatusError is errors.As for a statusError, its target declared here
// so that outcomeOf's common case, a good answer, allocates nothing.
func isStatusError(err error) bool {
	var se statusError
	return errors.As(err, &se)
}
