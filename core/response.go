package core

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

// ErrorBody is the JSON body of an error answer.
type ErrorBody struct {
	// Error is an RFC 6750 error code, or a generic code where RFC 6750 has
	// none ("unauthorized", "temporarily_unavailable", "server_error").
	Error string `json:"error"`
	// Description is a fixed library string (see the Desc constants), or an
	// authorization server's sanitised error_description.
	Description string `json:"error_description,omitempty"`
}

// Response is the HTTP answer to a failed authentication: what every
// adapter writes.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// WWWAuthenticate is the WWW-Authenticate header value, or "".
	WWWAuthenticate string
	// RetryAfter is the Retry-After header value, or "".
	RetryAfter string
	// Body is the JSON body.
	Body ErrorBody
}

// ErrorResponse maps an error from Authenticate (or a scope check) to its
// HTTP answer. It is pure and safe for concurrent use; realm is quoted in the
// Bearer challenge. Errors that are not *Error map to 500 with a fixed
// description.
//
//	ErrMissingToken       401  Bearer realm="..."
//	ErrMisconfigured      401  Bearer realm="..."
//	ErrInvalidRequest     400  Bearer realm="...", error="invalid_request"
//	ErrInvalidToken       401  Bearer realm="...", error="invalid_token"
//	ErrInsufficientScope  403  Bearer realm="...", error="insufficient_scope", scope="..."
//	ErrUnavailable        503  (Retry-After passed on)
//	ErrBadResponse        502
func ErrorResponse(err error, realm string) Response {
	var e *Error
	if !errors.As(err, &e) {
		return Response{Status: http.StatusInternalServerError,
			Body: ErrorBody{Error: "server_error", Description: DescInternal}}
	}
	desc := e.Description
	switch {
	case errors.Is(e.Kind, ErrMissingToken):
		return Response{Status: http.StatusUnauthorized, WWWAuthenticate: challenge(realm, "", "", ""),
			Body: ErrorBody{Error: "unauthorized", Description: or(desc, DescMissingToken)}}
	case errors.Is(e.Kind, ErrMisconfigured):
		return Response{Status: http.StatusUnauthorized, WWWAuthenticate: challenge(realm, "", "", ""),
			Body: ErrorBody{Error: "unauthorized", Description: DescMisconfigured}}
	case errors.Is(e.Kind, ErrInvalidRequest):
		desc = or(desc, DescMalformedHeader)
		return Response{Status: http.StatusBadRequest, WWWAuthenticate: challenge(realm, "invalid_request", desc, ""),
			Body: ErrorBody{Error: "invalid_request", Description: desc}}
	case errors.Is(e.Kind, ErrInvalidToken):
		desc = or(desc, DescInvalidClaims)
		return Response{Status: http.StatusUnauthorized, WWWAuthenticate: challenge(realm, "invalid_token", desc, ""),
			Body: ErrorBody{Error: "invalid_token", Description: desc}}
	case errors.Is(e.Kind, ErrInsufficientScope):
		desc = or(desc, DescInsufficientScope)
		return Response{Status: http.StatusForbidden, WWWAuthenticate: challenge(realm, "insufficient_scope", desc, e.Scope),
			Body: ErrorBody{Error: "insufficient_scope", Description: desc}}
	case errors.Is(e.Kind, ErrUnavailable):
		return Response{Status: http.StatusServiceUnavailable, RetryAfter: e.RetryAfter,
			Body: ErrorBody{Error: "temporarily_unavailable", Description: or(desc, DescFetchFailed)}}
	case errors.Is(e.Kind, ErrBadResponse):
		return Response{Status: http.StatusBadGateway,
			Body: ErrorBody{Error: "server_error", Description: or(desc, DescFetchFailed)}}
	}
	return Response{Status: http.StatusInternalServerError,
		Body: ErrorBody{Error: "server_error", Description: DescInternal}}
}

// Write writes the answer to w: headers, status and the JSON body followed
// by a newline (the bytes json.Encoder writes, as Echo's default error
// handler does, so that every adapter answers identically).
func (r Response) Write(w http.ResponseWriter) {
	h := w.Header()
	if r.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", r.WWWAuthenticate)
	}
	if r.RetryAfter != "" {
		h.Set("Retry-After", r.RetryAfter)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(r.Status)
	_, _ = w.Write(append(r.JSON(), '\n'))
}

// JSON returns the body as JSON.
func (r Response) JSON() []byte {
	b, err := json.Marshal(r.Body)
	if err != nil { // cannot happen: two strings
		return []byte(`{"error":"server_error"}`)
	}
	return b
}

// challenge builds a Bearer challenge. Its inputs are library constants,
// configured scopes (validated to exclude quotes and backslashes) and
// sanitised upstream descriptions, so no escaping is needed.
func challenge(realm, code, desc, scope string) string {
	var b strings.Builder
	b.WriteString(`Bearer realm="`)
	b.WriteString(realm)
	b.WriteByte('"')
	if code != "" {
		b.WriteString(`, error="`)
		b.WriteString(code)
		b.WriteByte('"')
	}
	if desc != "" && code != "" {
		b.WriteString(`, error_description="`)
		b.WriteString(desc)
		b.WriteByte('"')
	}
	if scope != "" {
		b.WriteString(`, scope="`)
		b.WriteString(scope)
		b.WriteByte('"')
	}
	return b.String()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
