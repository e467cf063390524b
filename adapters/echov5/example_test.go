package echov5rs_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/oidcrs/oidcrs/adapters/echov5"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func Example() {
	// A fake authorization server stands in for the real one.
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}

	e := echo.New()
	echov5rs.RegisterRoutes(e, rs)
	api := e.Group("/api", echov5rs.Middleware(rs))
	api.GET("/me", func(c *echo.Context) error {
		ti, _ := echov5rs.TokenInfo(c)
		return c.String(http.StatusOK, fmt.Sprintf("hello %s, from %s", ti.Subject, echov5rs.OriginAudience(c)))
	})
	api.GET("/admin", func(c *echo.Context) error {
		return c.String(http.StatusOK, "welcome, admin")
	}, echov5rs.RequireScopes(rs, core.AnyScope("admin")))

	token := as.Mint(nil) // scope "groups", not "admin"
	for _, path := range []string{"/api/me", "/api/admin"} {
		for _, auth := range []string{"", "Bearer " + token} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			e.ServeHTTP(w, req)
			fmt.Println(path, w.Code, strings.TrimSpace(w.Body.String()))
			if ch := w.Header().Get("WWW-Authenticate"); ch != "" {
				fmt.Println("  WWW-Authenticate:", ch)
			}
		}
	}
	// Output:
	// /api/me 401 {"error":"unauthorized","error_description":"Authentication credentials were not provided."}
	//   WWW-Authenticate: Bearer realm="oidcrs"
	// /api/me 200 hello user-1, from sp-client
	// /api/admin 401 {"error":"unauthorized","error_description":"Authentication credentials were not provided."}
	//   WWW-Authenticate: Bearer realm="oidcrs"
	// /api/admin 403 {"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token."}
	//   WWW-Authenticate: Bearer realm="oidcrs", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="groups admin"
}

func ExampleMiddlewareWithConfig() {
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}

	e := echo.New()
	e.GET("/greeting", func(c *echo.Context) error {
		if ti, ok := echov5rs.TokenInfo(c); ok {
			return c.String(http.StatusOK, "hello "+ti.Subject)
		}
		return c.String(http.StatusOK, "hello stranger")
	}, echov5rs.MiddlewareWithConfig(echov5rs.Config{ResourceServer: rs, Optional: true}))

	for _, auth := range []string{"", "Bearer " + as.Mint(nil), "Bearer not-a-known-token"} {
		req := httptest.NewRequest(http.MethodGet, "/greeting", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 hello stranger
	// 200 hello user-1
	// 401 {"error":"invalid_token","error_description":"Introspected user is not active"}
}
