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
// about each bearer token.
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
	ti, err := rs.Authenticate(context.Background(), "Bearer "+token)
	if err != nil {
		panic(err)
	}
	fmt.Println(ti.Subject, ti.OriginAudience, ti.Scopes)

	_, err = rs.Authenticate(context.Background(), "Bearer never-issued")
	fmt.Println(rs.ErrorResponse(err).Body.Description)
	// Output:
	// alice my-sp [groups]
	// Introspected user is not active
}

// Middleware protects a net/http handler; handlers read the token from
// the request context.
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
	api := httptest.NewServer(rs.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, _ := core.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s from %s", ti.Subject, core.OriginAudienceFromContext(r.Context()))
	})))
	defer api.Close()

	for _, auth := range []string{"Bearer " + as.Mint(nil), ""} {
		req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body))
	}
	// Output:
	// 200  hello user-1 from sp-client
	// 401 Bearer realm="oidcrs" {"error":"unauthorized","error_description":"Authentication credentials were not provided."}
}

// ErrorResponse maps an error to its status, challenge and body.
func ExampleErrorResponse() {
	_, err := core.ExtractToken("Bearer two tokens")
	resp := core.ErrorResponse(err, "api")
	fmt.Println(resp.Status)
	fmt.Println(resp.WWWAuthenticate)
	fmt.Println(string(resp.JSON()))

	resp = core.ErrorResponse(&core.Error{Kind: core.ErrInsufficientScope, Description: core.DescScopesMismatch, Scope: "groups"}, "api")
	fmt.Println(resp.Status, resp.WWWAuthenticate)
	// Output:
	// 400
	// Bearer realm="api", error="invalid_request", error_description="Invalid Authorization header."
	// {"error":"invalid_request","error_description":"Invalid Authorization header."}
	// 403 Bearer realm="api", error="insufficient_scope", error_description="Introspection response is missing required scopes.", scope="groups"
}

// ExtractToken takes the token of an Authorization header, decoding it
// when a client sent it base64-encoded.
func ExampleExtractToken() {
	for _, h := range []string{"Bearer abc.def.ghi", "bearer dG9rZW4tMQ==", "Basic dXNlcjpwYXNz", "Bearer"} {
		tok, err := core.ExtractToken(h)
		fmt.Printf("%q %q missing=%t\n", tok, btDescription(err), core.Anonymous(err))
	}
	// Output:
	// "abc.def.ghi" "" missing=false
	// "token-1" "" missing=false
	// "" "Authentication credentials were not provided." missing=true
	// "" "Invalid Authorization header." missing=false
}

func btDescription(err error) string {
	if err == nil {
		return ""
	}
	return core.ErrorResponse(err, "").Body.Description
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

// NewJWKSHandler serves the public half of OIDC_RS_PRIVATE_KEY_STR for
// the authorization server to encrypt its answers to.
func ExampleNewJWKSHandler() {
	key, err := oidcrstest.GenerateECKeyPEM()
	if err != nil {
		panic(err)
	}
	h := core.NewJWKSHandler(core.Settings{PrivateKey: key, KeyType: "EC", EncryptionAlgorithm: "ECDH-ES"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &set)
	k := set.Keys[0]
	_, hasD := k["d"]
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), len(set.Keys), k["kty"], k["use"], k["alg"], hasD)

	rec = httptest.NewRecorder()
	core.NewJWKSHandler(core.Settings{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 application/json 1 EC enc ECDH-ES false
	// 500 {"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}
}
