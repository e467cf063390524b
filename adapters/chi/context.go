package chirs

import (
	"net/http"

	"github.com/oidcrs/oidcrs/core"
)

// TokenInfo returns the verified token of the request, if any.
func TokenInfo(r *http.Request) (*core.TokenInfo, bool) {
	return core.FromContext(r.Context())
}

// OriginAudience returns the token's origin audience (the reference's
// resource_server_token_audience), or "".
func OriginAudience(r *http.Request) string {
	if ti, ok := core.FromContext(r.Context()); ok {
		return ti.OriginAudience()
	}
	return ""
}

// User returns the user found by the resource server's UserLookup hook,
// if any.
func User(r *http.Request) (any, bool) {
	return core.UserFromContext(r.Context())
}
