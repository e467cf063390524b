package adaptertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// The routes of the app that RunConformance asks an adapter to build.
const (
	ConformanceProtected = "/protected" // authentication required
	ConformanceOptional  = "/optional"  // optional authentication
	ConformanceSkipped   = "/skipped"   // the skipper skips it
	ConformanceAnyScope  = "/any"       // requires AnyScope("admin", "ops")
	ConformanceAllScopes = "/all"       // requires AllScopes("groups", "admin")
	ConformanceJWKS      = "/oauth/jwks"
)

// ConformanceRoute is one route of the app an adapter builds for
// RunConformance, for GET and OPTIONS (so that preflights reach the
// middleware). Its handler writes WriteConformanceReply.
type ConformanceRoute struct {
	// Path is the route's path.
	Path string
	// Optional asks for the adapter's optional-authentication mode.
	Optional bool
	// Skip asks for a skipper that returns true on this route.
	Skip bool
	// Scopes, when not nil, is a per-route requirement placed after the
	// authentication middleware (the adapter's RequireScopes).
	Scopes *core.ScopeRequirement
}

// ConformanceOptions describes the app an adapter builds.
type ConformanceOptions struct {
	// Routes are the routes to mount, for GET and OPTIONS, each behind
	// the adapter's authentication middleware.
	Routes []ConformanceRoute
	// JWKSPath is where the adapter's RegisterRoutes must mount the JWKS,
	// through its path option.
	JWKSPath string
}

// ConformanceBuilder builds an adapter's app for rs, as opts describes.
type ConformanceBuilder func(t *testing.T, rs *core.ResourceServer, opts ConformanceOptions) http.Handler

// ConformanceUser is the user that the conformance suite's UserLookup
// hook returns.
type ConformanceUser struct{ Subject string }

// WriteConformanceReply is what every conformance route's handler does: it
// answers 200 text/plain with the token's subject, origin audience, client
// id and scopes and the user, each read through the adapter's accessors, or
// "anonymous" when ti is nil.
func WriteConformanceReply(w http.ResponseWriter, ti *core.TokenInfo, originAudience string, user any) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, ConformanceReply(ti, originAudience, user))
}

// ConformanceReply is the text of a conformance route's reply: the
// token's subject, origin audience, client id and scopes and the user, or
// "anonymous" when ti is nil. WriteConformanceReply writes it over HTTP; a
// gRPC handler returns it.
func ConformanceReply(ti *core.TokenInfo, aud string, user any) string {
	if ti == nil {
		return "anonymous\n"
	}
	return fmt.Sprintf("sub=%s audience=%s client_id=%s scopes=%s user=%v\n",
		ti.Subject, aud, ti.ClientID, strings.Join(ti.Scopes, ","), user)
}

// RunConformance checks that an adapter answers exactly like the others:
// for each introspection backend (JSON, then RFC 9701 JWT) it starts a
// fake authorization server, builds the adapter's app with build for four
// resource servers (plain, with a UserLookup hook, disabled, and with
// Settings.Resource), serves each on loopback and compares every answer in
// full (status, WWW-Authenticate, Retry-After, Content-Type,
// Cache-Control, the CORS headers and body bytes) with the expected one.
// In JWT mode the authorization server fetches the resource server's key
// from the adapter's JWKS route. With Settings.Resource, the app's
// RegisterRoutes must serve the RFC 9728 metadata (GET, HEAD and the
// OPTIONS preflight) at rs.MetadataPath, and its RequireScopes must
// advertise the routes' scopes there.
func RunConformance(t *testing.T, build ConformanceBuilder) {
	t.Helper()
	runCases(t, transport[conformanceResponse]{
		http: true,
		build: func(t *testing.T, rs *core.ResourceServer, opts ConformanceOptions) (methodCaller[conformanceResponse], http.Handler) {
			h := build(t, rs, opts)
			if h == nil {
				t.Fatalf("the builder returned a nil handler")
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			return func(t *testing.T, c conformanceCase, cred Credentials) conformanceResponse {
				return httpDo(t, srv, c, cred)
			}, h
		},
		check: checkHTTP,
	})
}

// conformanceResponse is the part of an HTTP answer that must not differ
// between adapters.
type conformanceResponse struct {
	Status          int
	WWWAuthenticate string
	RetryAfter      string
	ContentType     string
	CacheControl    string
	CORS            string // the Access-Control-* headers, "Name: value" lines
	Body            string
}

// httpAnswer is how HTTP answers a verdict. Error bodies are the JSON of
// core.ErrorBody followed by a newline, as json.Encoder (and so Echo's
// default error handler) writes them.
func httpAnswer(v Verdict) conformanceResponse {
	if v.Error == "" {
		return conformanceResponse{Status: v.Status, ContentType: "text/plain; charset=utf-8", Body: v.Reply}
	}
	return conformanceResponse{Status: v.Status, WWWAuthenticate: v.Challenge, RetryAfter: v.RetryAfter,
		ContentType: "application/json", CacheControl: "no-store",
		Body: fmt.Sprintf(`{"error":%q,"error_description":%q}`+"\n", v.Error, v.Description)}
}

func httpDo(t *testing.T, srv *httptest.Server, c conformanceCase, cred Credentials) conformanceResponse {
	req, err := http.NewRequestWithContext(t.Context(), c.httpMethod(), srv.URL+c.path, nil)
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	if c.origin != "" {
		preflight(req, c.origin)
	}
	cred.set(req.Header, c.httpMethod(), c.path)
	client := &http.Client{Transport: srv.Client().Transport, Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.httpMethod(), c.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return conformanceResponse{
		Status:          resp.StatusCode,
		WWWAuthenticate: strings.Join(resp.Header.Values("WWW-Authenticate"), "\n"),
		RetryAfter:      strings.Join(resp.Header.Values("Retry-After"), "\n"),
		ContentType:     strings.Join(resp.Header.Values("Content-Type"), "\n"),
		CacheControl:    strings.Join(resp.Header.Values("Cache-Control"), "\n"),
		CORS:            corsHeaders(resp.Header),
		Body:            string(body),
	}
}

// checkHTTP compares an HTTP answer with the case's verdict, byte for byte.
func checkHTTP(t *testing.T, c conformanceCase, rs *core.ResourceServer, got conformanceResponse) {
	want := httpAnswer(c.want)
	switch {
	case c.origin != "":
		want = conformanceResponse{Status: c.want.Status, CORS: c.cors}
	case c.metadata:
		var ok bool
		if want, ok = metadataAnswer(t, c, rs, got); !ok {
			return
		}
	case c.jwks:
		rec := httptest.NewRecorder()
		rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ConformanceJWKS, nil))
		want = conformanceResponse{Status: http.StatusOK, ContentType: "application/json",
			CacheControl: "public, max-age=300", Body: rec.Body.String()}
		checkPublicJWKS(t, []byte(got.Body))
	}
	if got != want {
		t.Errorf("%s %s answered\n%s\nwant\n%s", c.httpMethod(), c.path, describe(got), describe(want))
	}
}

func describe(r conformanceResponse) string {
	return fmt.Sprintf("  status %d\n  WWW-Authenticate %q\n  Retry-After %q\n  Content-Type %q\n  Cache-Control %q\n  CORS %q\n  body %q",
		r.Status, r.WWWAuthenticate, r.RetryAfter, r.ContentType, r.CacheControl, r.CORS, r.Body)
}

// checkPublicJWKS checks that a JWKS holds keys and no private member.
func checkPublicJWKS(t *testing.T, body []byte) {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) == 0 {
		t.Errorf("the JWKS is not a key set with keys: %q", body)
		return
	}
	for _, k := range set.Keys {
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "r", "t", "k"} {
			if _, ok := k[m]; ok {
				t.Errorf("the JWKS carries the private member %q", m)
			}
		}
		if k["use"] != "enc" || k["kid"] == nil {
			t.Errorf("a JWKS key lacks use enc or kid: %v", k["use"])
		}
	}
}
