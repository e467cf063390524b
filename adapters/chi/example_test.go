package chirs_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/oidcrs/oidcrs/adapters/chi"
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

	r := chi.NewRouter()
	chirs.RegisterRoutes(r, rs)
	r.Route("/api", func(r chi.Router) {
		r.Use(chirs.Middleware(rs))
		r.Get("/me", func(w http.ResponseWriter, r *http.Request) {
			ti, _ := chirs.TokenInfo(r)
			fmt.Fprintf(w, "hello %s, from %s", ti.Subject, chirs.OriginAudience(r))
		})
		r.With(chirs.RequireScopes(rs, core.AnyScope("admin"))).Get("/admin", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "welcome, admin")
		})
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

func ExampleMiddleware_optional() {
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}

	r := chi.NewRouter()
	r.With(chirs.Middleware(rs, core.Optional())).Get("/greeting", func(w http.ResponseWriter, r *http.Request) {
		if ti, ok := chirs.TokenInfo(r); ok {
			fmt.Fprint(w, "hello ", ti.Subject)
			return
		}
		fmt.Fprint(w, "hello stranger")
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
