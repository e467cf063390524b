package core

import (
	"encoding/json"
	"errors"
	"net/http"
)

// ErrorBody is the JSON body of an error answer.
type ErrorBody struct {
	// Error is an RFC 6750 error code, or a generic code where RFC 6750 has
	// none ("unauthorized", "temporarily_unavailable", "server_error").
	Error string `json:"error"`
	// Description is a fixed library string, or an authorization server's
	// sanitised error_description.
	Description string `json:"error_description,omitempty"`
}

// Response is the HTTP answer to a failed authentication: what every
// adapter writes, built by ResourceServer.ErrorResponse.
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

// ErrorResponse maps an error from Authenticate or a scope check to its
// HTTP answer. It is pure and safe for concurrent use; the challenge
// carries this server's realm. An error that is not one of ours maps to
// 500 with a fixed description; a nil receiver uses the default realm.
//
//	ErrMissingToken       401  Bearer realm="..."
//	ErrMisconfigured      401  Bearer realm="..."
//	ErrInvalidRequest     400  Bearer realm="...", error="invalid_request"
//	ErrInvalidToken       401  Bearer realm="...", error="invalid_token"
//	ErrInsufficientScope  403  Bearer realm="...", error="insufficient_scope", scope="..."
//	ErrUnavailable        503  (Retry-After passed on)
//	ErrBadResponse        502
//	ErrInsufficientUserAuthentication  401  Bearer realm="...", error="insufficient_user_authentication", acr_values="...", max_age="..."
//
// With Settings.Resource, every 401 and 403 challenge names the RFC 9728
// metadata (resource_metadata, after realm), and a 401's scope lists the
// metadata's scopes_supported. A 403's scope lists every scope the request
// needs, so that a client that asks the authorization server for exactly
// that set gets a token that passes: first the scopes of this server's
// rule (OIDC_RS_SCOPES) in their configured order, then those of the
// route's rule in its order, each once. Where the token already satisfies
// a rule, the rule contributes the scopes the token holds of it; where it
// fails a rule, every scope the rule names. When the server's own rule
// fails, the route is not known yet: its part is the token's scopes that
// a route rule of this server names (RequireScopes, AdvertiseScopes).
func (rs *ResourceServer) ErrorResponse(err error) Response {
	realm, meta := defaultRealm, ""
	if rs != nil {
		realm = rs.settings.Realm
		if rs.metadata != nil {
			meta = rs.metadata.url
		}
	}
	var e *authError
	if !errors.As(err, &e) {
		return internalError
	}
	c := classOf(e.kind)
	if c == nil {
		return internalError
	}
	r := Response{Status: c.status, Body: ErrorBody{Error: c.code, Description: e.desc}}
	if !c.metadata {
		meta = ""
	}
	if c.challenge != challengeNone {
		r.WWWAuthenticate = rs.wwwAuthenticate(realm, meta, c, e)
	}
	if c.retryAfter {
		r.RetryAfter = e.retryAfter
	}
	return r
}

// internalError answers an error that is not one of ours.
var internalError = Response{Status: http.StatusInternalServerError,
	Body: ErrorBody{Error: "server_error", Description: descInternal}}

// SetHeaders sets the answer's headers on h: WWW-Authenticate and
// Retry-After when present, Content-Type application/json and
// Cache-Control no-store. Write calls it; an adapter whose framework writes
// the body itself (Echo) calls it alone.
func (r Response) SetHeaders(h http.Header) {
	if r.WWWAuthenticate != "" {
		h.Set("WWW-Authenticate", r.WWWAuthenticate)
	}
	if r.RetryAfter != "" {
		h.Set("Retry-After", r.RetryAfter)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
}

// Write writes the answer to w: headers, status and the JSON body followed
// by a newline (the bytes json.Encoder writes, as Echo's default error
// handler does, so that every adapter answers byte for byte alike).
func (r Response) Write(w http.ResponseWriter) {
	r.SetHeaders(w.Header())
	w.WriteHeader(r.Status)
	b, err := json.Marshal(r.Body)
	if err != nil { // cannot happen: two strings
		b = []byte(`{"error":"server_error"}`)
	}
	_, _ = w.Write(append(b, '\n'))
}
