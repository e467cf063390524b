package core

import (
	"context"
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

// outcomeOf classifies a call's end: the one classifier of the monitor,
// whose result is the Outcome of a CallResult and of a HealthChange, the
// log records' failure attribute and a metric label, so it returns only
// the fixed strings below. A refusal of the token by the AS
// (invalid_token) is a working AS. A call cancelled before it ended, with
// no deadline passed, is canceled: its caller left (see outcomeCanceled).
// A shared cache's store names the cause of its own failures
// (StoreFailure, see SharedStore); other failures are a timeout when a
// deadline passed, else refused.
func outcomeOf(err error) string {
	switch {
	case err == nil || errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrInsufficientScope):
		return "ok"
	case errors.Is(err, ErrBadResponse):
		return "untrusted"
	case isStatusError(err):
		return "status"
	case errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err):
		return outcomeCanceled
	}
	if class, ok := storeClass(err); ok {
		return class
	}
	if errors.Is(err, errTimedOut) || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return "timeout"
	}
	return "refused"
}

// outcomeCanceled is the outcome of a call cancelled because whoever
// waited for it left (a client that hung up, a server shutting down). It
// says nothing about the endpoint: the monitor's health counts it neither
// as a failure nor as a success, so that clients cannot choose the volume
// of Warn records nor flip the health gauge. A deadline that passed
// (OIDC_TIMEOUT) stays a timeout, the endpoint's failure.
const outcomeCanceled = "canceled"

// isStatusError is errors.As for a statusError, its target declared here
// so that outcomeOf's common case, a good answer, allocates nothing.
func isStatusError(err error) bool {
	var se statusError
	return errors.As(err, &se)
}

// storeFailure is the optional method of a SharedStore's error that names
// the class of its cause (see SharedStore).
type storeFailure interface{ StoreFailure() string }

// storeClass returns the class that err's chain names through
// StoreFailure, when it is one of the documented classes. Any other value
// is not trusted as a class (it would be an unbounded metric label): the
// failure is then classified as if it named none.
func storeClass(err error) (string, bool) {
	var sf storeFailure
	if !errors.As(err, &sf) {
		return "", false
	}
	switch class := sf.StoreFailure(); class {
	case "timeout", "refused", "redirect", "authentication", "permission", "tls":
		return class, true
	}
	return "", false
}

// isTimeout reports a deadline in err's chain: context.DeadlineExceeded,
// os.ErrDeadlineExceeded and a net.Error that timed out all say so.
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
