package connectrs

import (
	"context"

	"github.com/oidcrs/oidcrs/core"
)

// TokenInfo returns the verified token of the call, from the handler's
// context (a streaming handler's as well), if any.
func TokenInfo(ctx context.Context) (*core.TokenInfo, bool) {
	return core.FromContext(ctx)
}

// OriginAudience returns the token's origin audience (the reference's
// resource_server_token_audience), or "".
func OriginAudience(ctx context.Context) string {
	if ti, ok := core.FromContext(ctx); ok {
		return ti.OriginAudience()
	}
	return ""
}

// User returns the user found by the resource server's UserLookup hook,
// if any.
func User(ctx context.Context) (any, bool) {
	return core.UserFromContext(ctx)
}
