package echov5rs

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/core"
)

// httpError is the error Middleware and RequireScopes return. It unwraps
// to an *echo.HTTPError (Code the status, Message the fixed description)
// that wraps the error from core, so errors.As finds the former and
// errors.Is matches the core sentinels. Echo v5's HTTPError.Message is a
// string, which its default handler would render as {"message": ...};
// this error is found first (echo.HTTPStatusCoder) and renders itself
// (json.Marshaler) as core.ErrorBody, the body every adapter writes.
type httpError struct {
	he   *echo.HTTPError
	body core.ErrorBody
}

func newError(resp core.Response, cause error) *httpError {
	he := echo.NewHTTPError(resp.Status, resp.Body.Description).Wrap(cause).(*echo.HTTPError)
	return &httpError{he: he, body: resp.Body}
}

// Error is the *echo.HTTPError's text; it includes core's error, for logs.
func (e *httpError) Error() string { return e.he.Error() }

// Unwrap returns the *echo.HTTPError.
func (e *httpError) Unwrap() error { return e.he }

// StatusCode is the answer's status (echo.HTTPStatusCoder).
func (e *httpError) StatusCode() int { return e.he.Code }

// MarshalJSON writes the answer's body, the fixed description only, what
// Echo's default error handler sends, with exposeError or not.
func (e *httpError) MarshalJSON() ([]byte, error) { return json.Marshal(e.body) }

// ProblemError is the answer for echo.ProblemDetailsHTTPErrorHandler
// (RFC 9457): the status and the fixed description, never core's error
// text, with exposeError or not.
func (e *httpError) ProblemError() *echo.ProblemError {
	return &echo.ProblemError{Title: http.StatusText(e.he.Code), Status: e.he.Code, Detail: e.body.Description}
}
