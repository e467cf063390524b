package suite_test

import (
	"encoding/json"
	"net/http"

	"github.com/oidcrs/oidcrs/core"
)

// An appBuilder turns a resource server into an API the way an
// application would with one framework. Every app serves:
//
//	GET /jwks   the resource server's public keys, no authentication
//	GET /me     any valid token (OIDC_RS_SCOPES), answers an identity
//	GET /admin  a valid token with the scope "admin", answers an identity
type appBuilder struct {
	name  string
	build func(rs *core.ResourceServer) http.Handler
}

// appBuilders lists core's net/http middleware and every adapter; gRPC
// twice, unary calls and server streams (see app_grpc_test.go).
var appBuilders = []appBuilder{
	{name: "nethttp", build: netHTTPApp},
	{name: "gin", build: ginApp},
	{name: "echo", build: echoApp},
	{name: "echov5", build: echoV5App},
	{name: "chi", build: chiApp},
	{name: "grpc", build: grpcApp},
	{name: "grpc-stream", build: grpcStreamApp},
}

// identity is what /me and /admin answer: what the handler saw.
type identity struct {
	Subject  string   `json:"sub"`
	Audience string   `json:"audience"` // the token's origin audience
	ClientID string   `json:"client_id"`
	Scopes   []string `json:"scopes"`
	Expires  int64    `json:"exp"` // unix seconds, 0 when absent
}

func newIdentity(ti *core.TokenInfo, audience string) identity {
	id := identity{Audience: audience}
	if ti != nil {
		id.Subject, id.ClientID, id.Scopes = ti.Subject, ti.ClientID, ti.Scopes
		if !ti.ExpiresAt.IsZero() {
			id.Expires = ti.ExpiresAt.Unix()
		}
	}
	return id
}

func writeIdentity(w http.ResponseWriter, id identity) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(id)
}

// netHTTPApp uses core's own net/http middleware, as a Chi or plain
// net/http application would.
func netHTTPApp(rs *core.ResourceServer) http.Handler {
	whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, ok := core.FromContext(r.Context())
		audience := ""
		if ok {
			audience = ti.OriginAudience()
		}
		writeIdentity(w, newIdentity(ti, audience))
	})
	auth := rs.Middleware()
	mux := http.NewServeMux()
	mux.Handle("GET /jwks", rs.JWKSHandler())
	mux.Handle("GET /me", auth(whoami))
	mux.Handle("GET /admin", auth(rs.RequireScopes(core.AnyScope("admin"))(whoami)))
	return mux
}
