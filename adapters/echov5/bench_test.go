package echov5rs_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/adapters/echov5"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// The benchmarks compare a route with and without Middleware, every
// request a cache hit, so that CachedHit - Bare is what the adapter and
// core add per request, and CachedHit - Floor what is left once the
// context write any such middleware pays is taken out. No network: the instance's ServeHTTP gets a
// prebuilt request and a reusable writer (see adaptertest.BenchServe).

// benchEngine returns an instance serving GET /api/me with handler,
// behind mw when given.
func benchEngine(handler echo.HandlerFunc, mw ...echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.GET("/api/me", handler, mw...)
	return e
}

func bareHandler(c *echo.Context) error { return c.JSONBlob(http.StatusOK, adaptertest.BenchBody) }

// authHandler answers 200 only when the middleware put the token's
// TokenInfo in the context.
func authHandler(c *echo.Context) error {
	ti, ok := echov5rs.TokenInfo(c)
	if !ok || ti.Subject != oidcrstest.DefaultSubject {
		return c.NoContent(http.StatusInternalServerError)
	}
	return c.JSONBlob(http.StatusOK, adaptertest.BenchBody)
}

func BenchmarkBareEchoV5(b *testing.B) {
	adaptertest.BenchServe(b, benchEngine(bareHandler), adaptertest.BenchRequest("/api/me"))
}

// floorKey is the context key of the floor middleware's value.
type floorKey struct{}

// floorMiddleware only hands one value to the handler, the way Middleware
// does: a context.WithValue and a Request.WithContext set with SetRequest.
func floorMiddleware(v *core.TokenInfo) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			r := c.Request()
			c.SetRequest(r.WithContext(context.WithValue(r.Context(), floorKey{}, v)))
			return next(c)
		}
	}
}

// floorHandler answers 200 only when the floor middleware's value reached
// it.
func floorHandler(c *echo.Context) error {
	if c.Request().Context().Value(floorKey{}) == nil {
		return c.NoContent(http.StatusInternalServerError)
	}
	return c.JSONBlob(http.StatusOK, adaptertest.BenchBody)
}

// BenchmarkFloorEchoV5 is the bare route behind a middleware that only
// writes one value into the request context: the least an Echo middleware
// handing a TokenInfo to its handler can do.
func BenchmarkFloorEchoV5(b *testing.B) {
	adaptertest.BenchServe(b, benchEngine(floorHandler, floorMiddleware(new(core.TokenInfo))), adaptertest.BenchRequest("/api/me"))
}

func BenchmarkCachedHitEchoV5(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	adaptertest.BenchServe(b, benchEngine(authHandler, echov5rs.Middleware(rs)), adaptertest.BenchRequest("/api/me"))
	adaptertest.CheckOneIntrospection(b, as)
}

func BenchmarkCachedHitParallelEchoV5(b *testing.B) {
	as, rs := adaptertest.StartBench(b)
	adaptertest.BenchServeParallel(b, benchEngine(authHandler, echov5rs.Middleware(rs)), adaptertest.BenchRequest("/api/me"))
	adaptertest.CheckOneIntrospection(b, as)
}
