package adaptertest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The resource of the withResource variant (Settings.Resource), and where
// its RFC 9728 metadata lives (RFC 9728 section 3.1).
const (
	conformanceResource    = "https://rs.example/api"
	conformanceMetadata    = "/.well-known/oauth-protected-resource/api"
	conformanceMetadataURL = "https://rs.example" + conformanceMetadata
)

// conformanceScopesSupported is the metadata's scopes_supported once the
// app is built: OIDC_RS_SCOPES, then the routes' scopes in the order
// their RequireScopes advertised them.
const conformanceScopesSupported = "groups admin ops"

// pointing is v as a resource server with Settings.Resource answers it:
// its 401 and 403 challenges carry resource_metadata, after realm and
// before error (RFC 9728 section 5.1), and a 401's lists
// scopes_supported; a 400 challenge does neither.
func pointing(v Verdict) Verdict {
	if v.Status == http.StatusUnauthorized || v.Status == http.StatusForbidden {
		v.Challenge = realm + `, resource_metadata="` + conformanceMetadataURL + `"` + strings.TrimPrefix(v.Challenge, realm)
	}
	if v.Status == http.StatusUnauthorized {
		v.Challenge += `, scope="` + conformanceScopesSupported + `"` + dpopOffer
	}
	return v
}

// dpopOffer ends every 401 challenge of a resource server that takes
// DPoP-bound tokens (Settings.Resource gives it an external URL): the
// DPoP scheme, offered bare beside Bearer's (RFC 9449 section 7.1).
const dpopOffer = `, DPoP realm="oidcrs", algs="ES256 ES384 PS256 RS256 EdDSA"`

// own mints a token issued for conformanceResource (its aud), with
// claims, and sends it.
func own(claims map[string]any) func(*oidcrstest.Server) []string {
	c := map[string]any{"aud": conformanceResource}
	maps.Copy(c, claims)
	return bearer(c)
}

// resourceCases are the cases of the withResource variant: every 401 and
// 403 challenge points at the metadata, a token must be issued for the
// resource (RFC 8707), and the app serves the metadata document.
func resourceCases() []conformanceCase {
	wrongResource := pointing(failure(http.StatusUnauthorized, "invalid_token", descWrongResource, ""))
	cases := []conformanceCase{
		// The challenges, written out once in full.
		{name: "no token", path: ConformanceProtected, want: Verdict{Status: http.StatusUnauthorized,
			Error: "unauthorized", Description: descMissingToken,
			Challenge: `Bearer realm="oidcrs", resource_metadata="https://rs.example/.well-known/oauth-protected-resource/api", scope="groups admin ops", ` +
				`DPoP realm="oidcrs", algs="ES256 ES384 PS256 RS256 EdDSA"`}},
		{name: "scopes mismatch", path: ConformanceProtected, auth: own(map[string]any{"scope": "email"}),
			want: Verdict{Status: http.StatusForbidden, Error: "insufficient_scope", Description: descScopesMismatch,
				Challenge: `Bearer realm="oidcrs", resource_metadata="https://rs.example/.well-known/oauth-protected-resource/api", ` +
					`error="insufficient_scope", error_description="` + descScopesMismatch + `", scope="groups"`}},

		// Required authentication.
		{name: "another scheme", path: ConformanceProtected, auth: header("Basic dXNlcjpwYXNz"), want: pointing(missing)},
		{name: "valid token", path: ConformanceProtected, auth: own(nil), want: valid},
		{name: "audience array holding the resource", path: ConformanceProtected, want: valid,
			auth: bearer(map[string]any{"aud": []any{"https://rs.example/other", conformanceResource}})},
		{name: "unknown token", path: ConformanceProtected, auth: header("Bearer unknown-token"), want: pointing(inactive)},
		{name: "expired token", path: ConformanceProtected, auth: own(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}),
			want: pointing(failure(http.StatusUnauthorized, "invalid_token", descExpired, ""))},
		{name: "token for another resource", path: ConformanceProtected, want: wrongResource,
			auth: bearer(map[string]any{"aud": "https://rs.example/other"})},
		{name: "token for other resources", path: ConformanceProtected, want: wrongResource,
			auth: bearer(map[string]any{"aud": []any{"https://rs.example/other", "https://rs.example/api/v2"}})},
		{name: "token without audience", path: ConformanceProtected, auth: bearer(nil), want: wrongResource},
		{name: "no scope claim", path: ConformanceProtected, auth: own(map[string]any{"scope": nil}),
			want: pointing(failure(http.StatusForbidden, "insufficient_scope", descMissingScope, "groups"))},
		{name: "malformed header", path: ConformanceProtected, auth: header("Bearer "), want: malformed},
		{name: "two Authorization headers", path: ConformanceProtected, auth: header("Bearer abc", "Bearer def"), want: malformed},
		{name: "authorization server down", path: ConformanceProtected, auth: own(nil), fault: &oidcrstest.FaultDown, want: down},

		// Optional authentication.
		{name: "optional without token", path: ConformanceOptional, want: anonymous},
		{name: "optional with bad token", path: ConformanceOptional, auth: header("Bearer unknown-token"), want: pointing(inactive)},
		{name: "optional with token for another resource", path: ConformanceOptional, want: wrongResource,
			auth: bearer(map[string]any{"aud": "https://rs.example/other"})},

		// Per-route scopes.
		{name: "any-of satisfied", path: ConformanceAnyScope, auth: own(map[string]any{"scope": "groups ops"}),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups,ops user=<nil>\n")},
		{name: "any-of unsatisfied", path: ConformanceAnyScope, auth: own(nil),
			want: pointing(failure(http.StatusForbidden, "insufficient_scope", descInsufficientScope, stepUpAny))},
		{name: "any-of with the challenged scopes", path: ConformanceAnyScope, auth: own(map[string]any{"scope": stepUpAny}),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups,admin,ops user=<nil>\n")},
		{name: "any-of without token", path: ConformanceAnyScope, want: pointing(missing)},
		{name: "all-of unsatisfied", path: ConformanceAllScopes, auth: own(map[string]any{"scope": "groups ops"}),
			want: pointing(failure(http.StatusForbidden, "insufficient_scope", descInsufficientScope, "groups admin"))},

		// The routes RegisterRoutes mounts (HTTP only).
		{name: "metadata", path: conformanceMetadata, metadata: true, want: Verdict{Status: http.StatusOK}},
		{name: "metadata HEAD", path: conformanceMetadata, metadata: true, method: http.MethodHead, want: Verdict{Status: http.StatusOK}},
		{name: "metadata preflight", path: conformanceMetadata, metadata: true, method: http.MethodOptions,
			want: Verdict{Status: http.StatusNoContent}},
		{name: "metadata with a bad token", path: conformanceMetadata, metadata: true, auth: header("Bearer unknown-token"),
			want: Verdict{Status: http.StatusOK}},
		{name: "jwks", path: ConformanceJWKS, jwks: true, want: Verdict{Status: http.StatusOK}},
	}
	cases = append(cases, corsCases()...)
	for i := range cases {
		cases[i].name, cases[i].variant = "resource: "+cases[i].name, withResource
	}
	// Without a resource there is no metadata route: the framework's own
	// 404, whose body differs from one framework to the next.
	return append(cases, conformanceCase{name: "no metadata without a resource", path: conformanceMetadata,
		metadata: true, want: Verdict{Status: http.StatusNotFound}})
}

// metadataAnswer returns the answer expected from a metadata case: what
// rs.MetadataHandler itself answers the case's method, once checked
// against RFC 9728 and the CORS rules, and against the scopes the app's
// RequireScopes must have advertised. Without a resource it checks the
// status alone and returns false: the 404 is the framework's.
func metadataAnswer(t *testing.T, c conformanceCase, rs *core.ResourceServer, got conformanceResponse) (conformanceResponse, bool) {
	t.Helper()
	if rs.MetadataPath() == "" {
		if got.Status != c.want.Status {
			t.Errorf("%s %s answered %d without a resource, want %d", c.httpMethod(), c.path, got.Status, c.want.Status)
		}
		return conformanceResponse{}, false
	}
	rec := httptest.NewRecorder()
	rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(c.httpMethod(), c.path, nil))
	h := rec.Header()
	want := conformanceResponse{Status: rec.Code, ContentType: h.Get("Content-Type"), CacheControl: h.Get("Cache-Control"),
		CORS: corsHeaders(h), Body: rec.Body.String()}
	if want.Status != c.want.Status || !strings.Contains(want.CORS, "Access-Control-Allow-Origin: *\n") {
		t.Errorf("rs.MetadataHandler answers %s with %d, CORS %q; want %d, any origin", c.httpMethod(), want.Status, want.CORS, c.want.Status)
	}
	switch c.httpMethod() {
	case http.MethodOptions:
		if !strings.Contains(want.CORS, "Access-Control-Allow-Methods: ") {
			t.Errorf("the metadata preflight allows no method: %q", want.CORS)
		}
	case http.MethodGet:
		if want.ContentType != "application/json" || !strings.Contains(want.CacheControl, "max-age=") {
			t.Errorf("the metadata is served as %q, %q; want application/json with a max-age", want.ContentType, want.CacheControl)
		}
		checkMetadataDocument(t, []byte(got.Body))
	}
	return want, true
}

// checkMetadataDocument checks the RFC 9728 document an app served: it
// names the resource, an authorization server and the header method, and
// its scopes_supported holds OIDC_RS_SCOPES and every per-route scope.
func checkMetadataDocument(t *testing.T, body []byte) {
	t.Helper()
	var doc struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		Scopes               []string `json:"scopes_supported"`
		BearerMethods        []string `json:"bearer_methods_supported"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Errorf("the metadata is not JSON: %v: %q", err, body)
		return
	}
	if doc.Resource != conformanceResource || len(doc.AuthorizationServers) == 0 ||
		!slices.Equal(doc.BearerMethods, []string{"header"}) {
		t.Errorf("the metadata names resource %q, authorization servers %q, bearer methods %q",
			doc.Resource, doc.AuthorizationServers, doc.BearerMethods)
	}
	for _, s := range []string{oidcrstest.DefaultScope, "admin", "ops"} {
		if !slices.Contains(doc.Scopes, s) {
			t.Errorf("scopes_supported %q lacks %q: RequireScopes must advertise the route's scopes", doc.Scopes, s)
		}
	}
}

// corsHeaders is the answer's Access-Control-* headers, one "Name: value"
// line each, in a fixed order.
func corsHeaders(h http.Header) string {
	var b strings.Builder
	for _, name := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
		"Access-Control-Allow-Headers", "Access-Control-Max-Age", "Access-Control-Expose-Headers"} {
		for _, v := range h.Values(name) {
			b.WriteString(name + ": " + v + "\n")
		}
	}
	return b.String()
}
