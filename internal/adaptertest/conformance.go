package adaptertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
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

// ConformanceRoute is one GET route of the app an adapter builds for
// RunConformance. Its handler writes WriteConformanceReply.
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
	// Routes are the GET routes to mount, each behind the adapter's
	// authentication middleware.
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
	_, _ = io.WriteString(w, conformanceReply(ti, originAudience, user))
}

func conformanceReply(ti *core.TokenInfo, aud string, user any) string {
	if ti == nil {
		return "anonymous\n"
	}
	return fmt.Sprintf("sub=%s audience=%s client_id=%s scopes=%s user=%v\n",
		ti.Subject, aud, ti.ClientID, strings.Join(ti.Scopes, ","), user)
}

// RunConformance checks that an adapter answers exactly like the others:
// for each introspection backend (JSON, then RFC 9701 JWT) it starts a
// fake authorization server, builds the adapter's app with build for three
// resource servers (plain, with a UserLookup hook, disabled), serves it on
// loopback and compares every answer in full (status, WWW-Authenticate,
// Retry-After, Content-Type, Cache-Control and body bytes) with the
// expected one. In JWT mode the authorization server fetches the resource
// server's key from the adapter's JWKS route.
func RunConformance(t *testing.T, build ConformanceBuilder) {
	t.Helper()
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			env := newConformanceEnv(t, mode, build)
			for _, c := range conformanceCases(mode) {
				t.Run(c.name, func(t *testing.T) { env.run(t, c) })
			}
		})
	}
}

type variant int

const (
	plain    variant = iota // no hook
	withUser                // UserLookup hook
	disabled                // core.Disabled
)

type conformanceEnv struct {
	as   *oidcrstest.Server
	srvs [3]*httptest.Server
	rss  [3]*core.ResourceServer
}

func conformanceOptions() ConformanceOptions {
	anyOf, allOf := core.AnyScope("admin", "ops"), core.AllScopes("groups", "admin")
	return ConformanceOptions{JWKSPath: ConformanceJWKS, Routes: []ConformanceRoute{
		{Path: ConformanceProtected},
		{Path: ConformanceOptional, Optional: true},
		{Path: ConformanceSkipped, Skip: true},
		{Path: ConformanceAnyScope, Scopes: &anyOf},
		{Path: ConformanceAllScopes, Scopes: &allOf},
	}}
}

func newConformanceEnv(t *testing.T, mode oidcrstest.Mode, build ConformanceBuilder) *conformanceEnv {
	t.Helper()
	pem, err := oidcrstest.GenerateRSAKeyPEM(2048)
	if err != nil {
		t.Fatalf("generating the resource server key: %v", err)
	}
	env := &conformanceEnv{}
	var handlers [3]atomic.Pointer[http.Handler]
	for i := range env.srvs {
		h := &handlers[i]
		env.srvs[i] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p := h.Load(); p != nil {
				(*p).ServeHTTP(w, r)
				return
			}
			http.Error(w, "app not built yet", http.StatusServiceUnavailable)
		}))
		t.Cleanup(env.srvs[i].Close)
	}
	env.as = oidcrstest.Start(t, oidcrstest.Config{Mode: mode, RSJWKSURL: env.srvs[plain].URL + ConformanceJWKS})
	st := env.as.Settings(pem)
	hook := core.WithUserLookup(func(_ context.Context, ti *core.TokenInfo) (any, error) {
		switch ti.Subject {
		case oidcrstest.DefaultSubject:
			return ConformanceUser{Subject: ti.Subject}, nil
		case "ghost":
			var none *ConformanceUser // a typed nil is no user either
			return none, nil
		}
		return nil, nil
	})
	if env.rss[plain], err = core.New(st); err != nil {
		t.Fatalf("core.New: %v", err)
	}
	if env.rss[withUser], err = core.New(st, hook); err != nil {
		t.Fatalf("core.New with a user hook: %v", err)
	}
	env.rss[disabled] = core.Disabled(st, fmt.Errorf("disabled by the conformance suite"))
	for i, rs := range env.rss {
		h := build(t, rs, conformanceOptions())
		if h == nil {
			t.Fatalf("the builder returned a nil handler")
		}
		handlers[i].Store(&h)
	}
	return env
}

// conformanceResponse is the part of an answer that must not differ
// between adapters.
type conformanceResponse struct {
	Status          int
	WWWAuthenticate string
	RetryAfter      string
	ContentType     string
	CacheControl    string
	Body            string
}

func (env *conformanceEnv) run(t *testing.T, c conformanceCase) {
	if c.fault != nil {
		env.as.SetFault(c.fault)
		defer env.as.SetFault(nil)
	}
	srv := env.srvs[c.variant]
	req, err := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	if c.auth != nil {
		for _, v := range c.auth(env.as) {
			req.Header.Add("Authorization", v)
		}
	}
	client := &http.Client{Transport: srv.Client().Transport, Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", c.path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	got := conformanceResponse{
		Status:          resp.StatusCode,
		WWWAuthenticate: strings.Join(resp.Header.Values("WWW-Authenticate"), "\n"),
		RetryAfter:      strings.Join(resp.Header.Values("Retry-After"), "\n"),
		ContentType:     strings.Join(resp.Header.Values("Content-Type"), "\n"),
		CacheControl:    strings.Join(resp.Header.Values("Cache-Control"), "\n"),
		Body:            string(body),
	}
	want := c.want
	if c.jwks {
		rec := httptest.NewRecorder()
		env.rss[c.variant].JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ConformanceJWKS, nil))
		want.Body = rec.Body.String()
		checkPublicJWKS(t, body)
	}
	if got != want {
		t.Errorf("GET %s answered\n%s\nwant\n%s", c.path, describe(got), describe(want))
	}
}

func describe(r conformanceResponse) string {
	return fmt.Sprintf("  status %d\n  WWW-Authenticate %q\n  Retry-After %q\n  Content-Type %q\n  Cache-Control %q\n  body %q",
		r.Status, r.WWWAuthenticate, r.RetryAfter, r.ContentType, r.CacheControl, r.Body)
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
