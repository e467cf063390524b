package connectrs

import (
	"errors"
	"net/http"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/core"
)

// fail maps err, from rs.Authenticate or a scope rule, to the call's error:
// the code of the package documentation's table for the HTTP status
// core's ErrorResponse gives it, its fixed description as the message,
// and the challenge and Retry-After as the error's metadata, which Connect
// sends as response headers (unary calls) or trailers (streams). Over the
// gRPC protocol the challenge goes to header, the call's response
// headers, instead, when there is one: net/http drops a WWW-Authenticate
// trailer.
func fail(rs *core.ResourceServer, err error, protocol string, header http.Header) error {
	resp := rs.ErrorResponse(err)
	e := connect.NewError(code(resp.Status), errors.New(resp.Body.Description))
	switch {
	case resp.WWWAuthenticate == "":
	case protocol == connect.ProtocolGRPC && header != nil:
		header.Set("WWW-Authenticate", resp.WWWAuthenticate)
	default:
		e.Meta().Set("WWW-Authenticate", resp.WWWAuthenticate)
	}
	if resp.RetryAfter != "" {
		e.Meta().Set("Retry-After", resp.RetryAfter)
	}
	return e
}

// code maps the HTTP status of core's answer to a Connect code, one code
// per status, so that no verdict is lost in the translation.
func code(httpStatus int) connect.Code {
	switch httpStatus {
	case http.StatusBadRequest: // a malformed Authorization header
		return connect.CodeInvalidArgument
	case http.StatusUnauthorized: // no token, a bad token, a disabled server
		return connect.CodeUnauthenticated
	case http.StatusForbidden: // a scope is missing
		return connect.CodePermissionDenied
	case http.StatusServiceUnavailable: // the authorization server could not be asked
		return connect.CodeUnavailable
	default: // 502, an answer that cannot be trusted; 500, an error not ours
		return connect.CodeInternal
	}
}
