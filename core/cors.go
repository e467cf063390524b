package core

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// What a CORS preflight is granted: the methods an API commonly serves,
// and the request headers a bearer-token client sends, MCP's among them
// (its session, protocol version and SSE resumption headers). A response
// exposes the challenge and the MCP session to the page.
const (
	corsAllowMethods  = "GET, HEAD, POST, PUT, PATCH, DELETE"
	corsAllowHeaders  = "Authorization, Content-Type, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID"
	corsExposeHeaders = "WWW-Authenticate, Retry-After, Mcp-Session-Id"
	corsMaxAge        = "7200"
)

// isPreflight reports whether r is a CORS preflight: OPTIONS with
// Access-Control-Request-Method (Fetch standard, section 3.2.2).
func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// allowedOrigin returns the Access-Control-Allow-Origin value for a
// request from origin: "*" when every origin is allowed, origin itself
// when Settings.CORSOrigins lists it, else "".
func (rs *ResourceServer) allowedOrigin(origin string) string {
	if rs == nil || origin == "" {
		return ""
	}
	for _, o := range rs.settings.CORSOrigins {
		if o == "*" {
			return "*"
		}
		if o == origin {
			return origin
		}
	}
	return ""
}

// ServePreflight answers r and reports true when r is a CORS preflight:
// 204, granting Settings.CORSOrigins the methods and headers an API
// client needs (Authorization and MCP's headers among them), or, to any
// other origin, nothing (the browser then refuses the request). A
// preflight carries no credentials, so it is never challenged and never
// reaches the application's handler. Every adapter's authentication
// middleware calls it first, as core's Middleware does. It writes nothing
// and returns false for any other request.
func (rs *ResourceServer) ServePreflight(w http.ResponseWriter, r *http.Request) bool {
	if !isPreflight(r) {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	if o := rs.allowedOrigin(r.Header.Get("Origin")); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Methods", corsAllowMethods)
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", corsMaxAge)
	}
	w.WriteHeader(http.StatusNoContent)
	return true
}

// CORS returns h behind rs's CORS policy, for a net/http application with
// no CORS middleware of its own: it answers preflights (ServePreflight),
// and on any other request from an allowed origin (Settings.CORSOrigins)
// lets the page read the answer, challenges and the MCP session id
// included. Place it outside the authentication middleware, so that
// refusals carry the headers too:
//
//	handler := rs.CORS(rs.Middleware()(app))
//
// With the default settings it grants no origin.
func (rs *ResourceServer) CORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rs.ServePreflight(w, r) {
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" {
			w.Header().Add("Vary", "Origin")
			if o := rs.allowedOrigin(origin); o != "" {
				w.Header().Set("Access-Control-Allow-Origin", o)
				w.Header().Set("Access-Control-Expose-Headers", corsExposeHeaders)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// validOrigin reports whether o can be an entry of Settings.CORSOrigins:
// "*", or an http(s) origin, scheme://host[:port], as a browser sends it
// in Origin (lower-case, no path, no trailing slash).
func validOrigin(o string) bool {
	if o == "*" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && slices.Contains([]string{"http", "https"}, u.Scheme) && u.Host != "" &&
		u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery &&
		u.String() == o && o == strings.ToLower(o) && printable(o, false)
}
