package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	chi "github.com/go-chi/chi/v5"
	echo "github.com/labstack/echo/v4"
	echov5 "github.com/labstack/echo/v5"

	chirs "github.com/oidcrs/oidcrs/adapters/chi"
	echors "github.com/oidcrs/oidcrs/adapters/echo"
	echov5rs "github.com/oidcrs/oidcrs/adapters/echov5"
	ginrs "github.com/oidcrs/oidcrs/adapters/gin"
	"github.com/oidcrs/oidcrs/core"
)

// frameworks are the routers the load test can serve, in the order -f all
// runs them. Each serves GET /open, the handler alone, and GET /api, the
// same handler behind the framework's oidcrs middleware.
var frameworks = []string{"net/http", "gin", "echo", "echov5", "chi"}

// body is every answer's body: the same small JSON for both routes.
var body = []byte(`{"ok":true}`)

// parseFrameworks reads -f: one name, a comma list, or "all".
func parseFrameworks(s string) ([]string, error) {
	if s == "all" {
		return frameworks, nil
	}
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if !slices.Contains(frameworks, f) {
			return nil, fmt.Errorf("-f: unknown framework %q (want %s or all)", f, strings.Join(frameworks, ", "))
		}
		out = append(out, f)
	}
	return out, nil
}

// router returns framework's router with /open and /api.
func router(framework string, rs *core.ResourceServer) http.Handler {
	switch framework {
	case "gin":
		gin.SetMode(gin.ReleaseMode)
		r := gin.New()
		h := func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) }
		r.GET("/open", h)
		r.GET("/api", ginrs.Middleware(rs), h)
		return r
	case "echo":
		e := echo.New()
		h := func(c echo.Context) error { return c.Blob(http.StatusOK, "application/json", body) }
		e.GET("/open", h)
		e.GET("/api", h, echors.Middleware(rs))
		return e
	case "echov5":
		e := echov5.New()
		h := func(c *echov5.Context) error { return c.Blob(http.StatusOK, "application/json", body) }
		e.GET("/open", h)
		e.GET("/api", h, echov5rs.Middleware(rs))
		return e
	case "chi":
		r := chi.NewRouter()
		r.Get("/open", plain)
		r.With(chirs.Middleware(rs)).Get("/api", plain)
		return r
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /open", plain)
	mux.Handle("GET /api", rs.Middleware()(http.HandlerFunc(plain)))
	return mux
}

func plain(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
