package grpcrs

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oidcrs/oidcrs/core"
)

// fail maps err, from rs.Authenticate or a scope rule, to the call's status:
// the code of the package documentation's table for the HTTP status
// core's ErrorResponse gives it, its fixed description as the message.
// The challenge and Retry-After go to setTrailer as "www-authenticate"
// and "retry-after" metadata, when there are any.
func fail(rs *core.ResourceServer, err error, setTrailer func(metadata.MD)) error {
	resp := rs.ErrorResponse(err)
	var md metadata.MD
	if resp.WWWAuthenticate != "" {
		md = metadata.Pairs("www-authenticate", resp.WWWAuthenticate)
	}
	if resp.RetryAfter != "" {
		md = metadata.Join(md, metadata.Pairs("retry-after", resp.RetryAfter))
	}
	if md != nil {
		setTrailer(md)
	}
	return status.Error(code(resp.Status), resp.Body.Description)
}

// code maps the HTTP status of core's answer to a gRPC code, one code per
// status, so that no verdict is lost in the translation.
func code(httpStatus int) codes.Code {
	switch httpStatus {
	case http.StatusBadRequest: // malformed authorization metadata
		return codes.InvalidArgument
	case http.StatusUnauthorized: // no token, a bad token, a disabled server
		return codes.Unauthenticated
	case http.StatusForbidden: // a scope is missing
		return codes.PermissionDenied
	case http.StatusServiceUnavailable: // the authorization server could not be asked
		return codes.Unavailable
	default: // 502, an answer that cannot be trusted; 500, an error not ours
		return codes.Internal
	}
}
