package ginrs_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/oidcrs/oidcrs/adapters/gin"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// The benchmarks compare a route with and without Middleware, every
// request a cache hit, so that CachedHit - Bare is what the adapter and
// core add per request, and CachedHit - Floor what is left once the
// context write any such middleware pays is taken out. No network: the engine's ServeHTTP gets a
// prebuilt request and a reusable writer (see adaptertest.BenchServe).

// benchEngine returns an engine serving GET /api/me with handler, behind
// mw when given.
func benchEngine(handler gin.HandlerFunc, mw ...gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.GET("/api/me", append(mw, handler)...)
	return r
}

func bareHandler(c *gin.Context) { c.Data(http.StatusOK, "application/json", adaptertest.BenchBody) }

// authHandler answers 200 only when the middleware put the token's
// TokenInfo in the context.
func authHandler(c *gin.Context) {
	ti, ok := ginrs.TokenInfo(c)
	if !ok || ti.Subject != oidcrstest.DefaultSubject {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "application/json", adaptertest.BenchBody)
}

func BenchmarkBareGin(b *testing.B) {
	adaptertest.BenchServe(b, benchEngine(bareHandler), adaptertest.BenchRequest("/api/me"))
}

// floorKey is the context key of the floor middleware's value.
type floorKey struct{}

// floorMiddleware only hands one value to the handler, the way Middleware
// does: a context.WithValue and a Request.WithContext stored in c.Request.
func floorMiddleware(v *core.TokenInfo) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), floorKey{}, v))
		c.Next()
	}
}

// floorHandler answers 200 only when the floor middleware's value reached
// it.
func floorHandler(c *gin.Context) {
	if c.Request.Context().Value(floorKey{}) == nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(http.StatusOK, "application/json", adaptertest.BenchBody)
}

// BenchmarkFloorGin is the bare route behind a middleware that only writes
// one value into the request context: the least a Gin middleware handing
// a TokenInfo to its handler can do.
func BenchmarkFloorGin(b *testing.B) {
	adaptertest.BenchServe(b, benchEngine(floorHandler, floorMiddleware(new(core.TokenInfo))), adaptertest.BenchRequest("/api/me"))
}

func BenchmarkCachedHitGin(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	adaptertest.BenchServe(b, benchEngine(authHandler, ginrs.Middleware(rs)), adaptertest.BenchRequest("/api/me"))
	adaptertest.CheckOneIntrospection(b, as)
}

func BenchmarkCachedHitParallelGin(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	adaptertest.BenchServeParallel(b, benchEngine(authHandler, ginrs.Middleware(rs)), adaptertest.BenchRequest("/api/me"))
	adaptertest.CheckOneIntrospection(b, as)
}
