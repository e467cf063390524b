package suite_test

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/oidcrs/oidcrs/adapters/gin"
	"github.com/oidcrs/oidcrs/core"
)

func init() { gin.SetMode(gin.TestMode) }

// ginApp uses the Gin adapter, as its documentation shows.
func ginApp(rs *core.ResourceServer) http.Handler {
	whoami := func(c *gin.Context) {
		ti, _ := ginrs.TokenInfo(c)
		c.JSON(http.StatusOK, newIdentity(ti, ginrs.OriginAudience(c)))
	}
	r := gin.New()
	ginrs.RegisterRoutes(r, rs)
	api := r.Group("/", ginrs.Middleware(rs))
	api.GET("/me", whoami)
	api.GET("/admin", ginrs.RequireScopes(rs, core.AnyScope("admin")), whoami)
	return r
}
