package ginrs_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oidcrs/oidcrs/adapters/gin"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

func init() { gin.SetMode(gin.TestMode) }

// reply is every conformance route's handler, reading through the
// adapter's accessors.
func reply(c *gin.Context) {
	ti, _ := ginrs.TokenInfo(c)
	user, _ := ginrs.User(c)
	adaptertest.WriteConformanceReply(c.Writer, ti, ginrs.OriginAudience(c), user)
}

func buildApp(_ *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
	r := gin.New()
	ginrs.RegisterRoutes(r, rs, ginrs.WithJWKSPath(opts.JWKSPath))
	for _, rt := range opts.Routes {
		var mw []ginrs.Option
		if rt.Optional {
			mw = append(mw, ginrs.Optional())
		}
		if rt.Skip {
			path := rt.Path
			mw = append(mw, ginrs.WithSkipper(func(c *gin.Context) bool { return c.FullPath() == path }))
		}
		chain := []gin.HandlerFunc{ginrs.Middleware(rs, mw...)}
		if rt.Scopes != nil {
			chain = append(chain, ginrs.RequireScopes(rs, *rt.Scopes))
		}
		r.GET(rt.Path, append(chain, reply)...)
		r.OPTIONS(rt.Path, append(chain, reply)...)
	}
	return r
}

func TestConformance(t *testing.T) {
	adaptertest.RunConformance(t, buildApp)
}
