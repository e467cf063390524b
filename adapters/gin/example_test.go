package ginrs_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/oidcrs/oidcrs/adapters/gin"
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

	r := gin.New()
	ginrs.RegisterRoutes(r, rs)
	api := r.Group("/api", ginrs.Middleware(rs))
	api.GET("/me", func(c *gin.Context) {
		ti, _ := ginrs.TokenInfo(c)
		c.String(http.StatusOK, "hello %s, from %s", ti.Subject, ginrs.OriginAudience(c))
	})
	api.GET("/admin", ginrs.RequireScopes(rs, core.AnyScope("admin")), func(c *gin.Context) {
		c.String(http.StatusOK, "welcome, admin")
	})

	token := as.Mint(nil) // scope "groups", not "admin"
	for _, path := range []string{"/api/me", "/api/admin"} {
		for _, auth := range []string{"", "Bearer " + token} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
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

func ExampleOptional() {
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}

	r := gin.New()
	r.GET("/greeting", ginrs.Middleware(rs, ginrs.Optional()), func(c *gin.Context) {
		if ti, ok := ginrs.TokenInfo(c); ok {
			c.String(http.StatusOK, "hello %s", ti.Subject)
			return
		}
		c.String(http.StatusOK, "hello stranger")
	})

	for _, auth := range []string{"", "Bearer " + as.Mint(nil), "Bearer not-a-known-token"} {
		req := httptest.NewRequest(http.MethodGet, "/greeting", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	// Output:
	// 200 hello stranger
	// 200 hello user-1
	// 401 {"error":"invalid_token","error_description":"Introspected user is not active"}
}
