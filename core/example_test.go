package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// A resource server asks the authorization server (here the test kit)
// about each bearer token. Authenticate takes every value of the
// Authorization header (or gRPC metadata) and returns a context carrying
// the verified token.
func ExampleResourceServer_Authenticate() {
	as, err := oidcrstest.New(oidcrstest.Config{SigningAlg: "ES256"})
	if err != nil {
		panic(err)
	}
	defer as.Close()

	rs, err := core.New(as.Settings("", "groups"))
	if err != nil {
		panic(err)
	}
	token := as.Mint(map[string]any{"sub": "alice", "client_id": "my-sp"})
	ctx, err := rs.Authenticate(context.Background(), []string{"Bearer " + token})
	if err != nil {
		panic(err)
	}
	ti, _ := core.FromContext(ctx)
	fmt.Println(ti.Subject, ti.OriginAudience(), ti.Scopes)

	for _, h := range [][]string{{"Bearer never-issued"}, nil, {"Bearer a", "Bearer b"}} {
		_, err = rs.Authenticate(context.Background(), h)
		resp := rs.ErrorResponse(err)
		fmt.Println(resp.Status, resp.Body.Description, core.IsAnonymous(err))
	}
	// Output:
	// alice my-sp [groups]
	// 401 Introspected user is not active false
	// 401 Authentication credentials were not provided. true
	// 400 Invalid Authorization header. false
}

// Middleware protects a net/http handler; handlers read the token from
// the request context. In Optional mode a request without a token goes on
// anonymously.
func ExampleResourceServer_Middleware() {
	as, err := oidcrstest.New(oidcrstest.Config{SigningAlg: "ES256"})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ti, ok := core.FromContext(r.Context()); ok {
			fmt.Fprintf(w, "hello %s from %s", ti.Subject, ti.OriginAudience())
			return
		}
		fmt.Fprint(w, "hello stranger")
	})
	mux := http.NewServeMux()
	mux.Handle("/api", rs.Middleware()(hello))
	mux.Handle("/public", rs.Middleware(core.Optional())(hello))
	mux.Handle("/admin", rs.Middleware()(rs.RequireScopes(core.AnyScope("admin"))(hello)))
	api := httptest.NewServer(mux)
	defer api.Close()

	token := as.Mint(nil)
	for _, c := range []struct{ path, auth string }{
		{"/api", "Bearer " + token}, {"/api", ""}, {"/public", ""}, {"/admin", "Bearer " + token},
	} {
		req, _ := http.NewRequest(http.MethodGet, api.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(c.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), strings.TrimSpace(string(body)))
	}
	// Output:
	// /api 200  hello user-1 from sp-client
	// /api 401 Bearer realm="oidcrs" {"error":"unauthorized","error_description":"Authentication credentials were not provided."}
	// /public 200  hello stranger
	// /admin 403 Bearer realm="oidcrs", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="groups admin" {"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token."}
}

// ErrorResponse maps an error to its status, challenge and body: what
// every adapter writes.
func ExampleResourceServer_ErrorResponse() {
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	st := as.Settings("")
	st.Realm = "api"
	rs, err := core.New(st)
	if err != nil {
		panic(err)
	}
	_, err = rs.Authenticate(context.Background(), []string{"Bearer two tokens"})
	resp := rs.ErrorResponse(err)
	fmt.Println(resp.Status)
	fmt.Println(resp.WWWAuthenticate)
	rec := httptest.NewRecorder()
	resp.Write(rec)
	fmt.Print(rec.Header().Get("Cache-Control"), " ", rec.Body.String())

	_, err = rs.Authenticate(context.Background(), []string{"Bearer " + as.Mint(map[string]any{"scope": "email"})})
	resp = rs.ErrorResponse(err)
	fmt.Println(resp.Status, resp.WWWAuthenticate)
	// Output:
	// 400
	// Bearer realm="api", error="invalid_request", error_description="Invalid Authorization header."
	// no-store {"error":"invalid_request","error_description":"Invalid Authorization header."}
	// 403 Bearer realm="api", error="insufficient_scope", error_description="Introspection response is missing required scopes.", scope="groups"
}

// SettingsFromEnv reads the reference's variable names; the lookup
// function is os.LookupEnv in production.
func ExampleSettingsFromEnv() {
	env := map[string]string{
		"OIDC_RS_BACKEND_CLASS":          "lasuite.oidc_resource_server.backend.ResourceServerBackend",
		"OIDC_RP_CLIENT_ID":              "my-rs",
		"OIDC_RP_CLIENT_SECRET":          "change-me",
		"OIDC_OP_URL":                    "https://auth.example",
		"OIDC_OP_INTROSPECTION_ENDPOINT": "https://auth.example/introspect",
		"OIDC_RS_SCOPES":                 `["groups", "email"]`,
		"OIDC_TIMEOUT":                   "5",
	}
	s, err := core.SettingsFromEnv(func(name string) (string, bool) { v, ok := env[name]; return v, ok })
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Backend, s.ClientID, s.Scopes, s.Timeout, s.Validate() == nil)
	fmt.Println(strings.Contains(s.String(), "change-me"), strings.Contains(s.String(), "[REDACTED]"))
	// Output:
	// json my-rs [groups email] 5s true
	// false true
}

// JWKSHandler serves the public half of OIDC_RS_PRIVATE_KEY_STR for the
// authorization server to encrypt its answers to.
func ExampleResourceServer_JWKSHandler() {
	key, err := oidcrstest.GenerateECKeyPEM()
	if err != nil {
		panic(err)
	}
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	st := as.Settings(key)
	st.KeyType, st.EncryptionAlgorithm = "EC", "ECDH-ES"
	rs, err := core.New(st)
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &set)
	k := set.Keys[0]
	_, hasD := k["d"]
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), len(set.Keys), k["kty"], k["use"], k["alg"], hasD)

	rec = httptest.NewRecorder()
	core.Disabled(core.Settings{}, nil).JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 application/json 1 EC enc ECDH-ES false
	// 500 {"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}
}

// Printing a ResourceServer, with any verb or with log/slog, never shows
// the client secret or the private key.
func ExampleResourceServer_String() {
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
		out := fmt.Sprintf(verb, rs)
		fmt.Println(verb, strings.Contains(out, oidcrstest.DefaultClientSecret), strings.Contains(out, "OIDC_RS_CLIENT_SECRET=\"[REDACTED]\""))
	}
	// Output:
	// %v false true
	// %+v false true
	// %#v false true
	// %s false true
	// %d false true
}
