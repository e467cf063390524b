package echors

import (
	"github.com/labstack/echo/v4"

	"github.com/oidcrs/oidcrs/core"
)

// TokenInfo returns the verified token of the request, if any.
func TokenInfo(c echo.Context) (*core.TokenInfo, bool) {
	return core.FromContext(c.Request().Context())
}

// OriginAudience returns the token's origin audience (the reference's
// resource_server_token_audience), or "".
func OriginAudience(c echo.Context) string {
	if ti, ok := core.FromContext(c.Request().Context()); ok {
		return ti.OriginAudience()
	}
	return ""
}

// User returns the user found by the resource server's UserLookup hook,
// if any.
func User(c echo.Context) (any, bool) {
	return core.UserFromContext(c.Request().Context())
}
