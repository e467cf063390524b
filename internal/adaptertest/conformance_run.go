package adaptertest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Caller sends one conformance request to an app and returns the answer,
// in its transport's terms: path is one of ConformanceOptions' route paths
// (a gRPC app maps it to a method), cred what the request carries. It
// bounds the call with t.Context() and fails t when the call cannot be
// made at all.
type Caller[A any] func(t *testing.T, path string, cred Credentials) A

// Credentials are what a conformance request carries.
type Credentials struct {
	// Authorization holds the values of the Authorization header or
	// "authorization" metadata (none when empty).
	Authorization []string
	// DPoP, when not nil, returns the values of the DPoP header or "dpop"
	// metadata for the request as the transport sends it: its HTTP method
	// and path (a gRPC or Connect call: POST and the method's path).
	DPoP func(method, path string) []string
}

// CallerBuilder builds an adapter's app for rs, as opts describes, serves
// it, and returns how to call it. It may register cleanups on t.
type CallerBuilder[A any] func(t *testing.T, rs *core.ResourceServer, opts ConformanceOptions) Caller[A]

// RunConformanceCalls runs the conformance table of RunConformance through
// a transport other than HTTP: the same backends, resource servers,
// tokens and verdicts. check compares each answer with the verdict
// expected, mapping its HTTP status to the transport's own codes. The
// JWKS and metadata cases, HTTP's alone, are left out; in JWT mode the
// authorization server fetches the resource server's key from a loopback
// HTTP server of the suite (rs.JWKSHandler), as an application serving
// gRPC would have to provide.
func RunConformanceCalls[A any](t *testing.T, build CallerBuilder[A], check func(t *testing.T, want Verdict, got A)) {
	t.Helper()
	runCases(t, transport[A]{
		build: func(t *testing.T, rs *core.ResourceServer, opts ConformanceOptions) (methodCaller[A], http.Handler) {
			c := build(t, rs, opts)
			if c == nil {
				return nil, nil
			}
			return func(t *testing.T, cc conformanceCase, cred Credentials) A { return c(t, cc.path, cred) },
				rs.JWKSHandler()
		},
		check: func(t *testing.T, c conformanceCase, _ *core.ResourceServer, got A) { check(t, c.want, got) },
	})
}

// methodCaller is a Caller that takes the whole case: its path, and for
// the HTTP-only cases its method and CORS preflight.
type methodCaller[A any] func(t *testing.T, c conformanceCase, cred Credentials) A

// transport is what runCases needs of a way in.
type transport[A any] struct {
	// build builds the app for rs and returns how to call it and the
	// handler that serves the JWKS at ConformanceJWKS.
	build func(t *testing.T, rs *core.ResourceServer, opts ConformanceOptions) (methodCaller[A], http.Handler)
	// check compares an answer with the case's verdict.
	check func(t *testing.T, c conformanceCase, rs *core.ResourceServer, got A)
	// http runs the HTTP-only cases: the JWKS and metadata documents.
	http bool
}

type variant int

const (
	plain        variant = iota // no hook
	withUser                    // UserLookup hook
	disabled                    // core.Disabled
	withResource                // Settings.Resource: RFC 9728 metadata and the audience check
	throttled                   // told to pause by a 429's Retry-After: no other case may share it
	variants                    // the number of variants
)

func conformanceOptions() ConformanceOptions {
	anyOf, allOf := core.AnyScope("admin", "ops"), core.AllScopes("groups", "admin")
	stepUp := stepUpRule()
	return ConformanceOptions{JWKSPath: ConformanceJWKS, Routes: []ConformanceRoute{
		{Path: ConformanceProtected},
		{Path: ConformanceOptional, Optional: true},
		{Path: ConformanceSkipped, Skip: true},
		{Path: ConformanceAnyScope, Scopes: &anyOf},
		{Path: ConformanceAllScopes, Scopes: &allOf},
		{Path: ConformanceStepUp, Scopes: &stepUp},
	}}
}

// runCases is the one runner behind RunConformance and RunConformanceCalls:
// for each backend, a fake authorization server, a resource server per
// variant, the app built for each, and every case of the tables.
func runCases[A any](t *testing.T, tr transport[A]) {
	t.Helper()
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			// The authorization server needs the JWKS URL before the
			// resource servers, and so the apps, exist.
			var jwks atomic.Pointer[http.Handler]
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if h := jwks.Load(); h != nil {
					(*h).ServeHTTP(w, r)
					return
				}
				http.Error(w, "app not built yet", http.StatusServiceUnavailable)
			}))
			t.Cleanup(front.Close)
			var seen [variants]decisions
			as, rss := startResourceServers(t, mode, front.URL+ConformanceJWKS, &seen)
			var calls [variants]methodCaller[A]
			for i, rs := range rss {
				call, h := tr.build(t, rs, conformanceOptions())
				if call == nil {
					t.Fatalf("the builder returned no caller")
				}
				calls[i] = call
				if variant(i) == plain {
					jwks.Store(&h)
				}
			}
			for _, c := range slices.Concat(conformanceCases(mode), resourceCases(), stepUpCases(), dpopCases()) {
				if c.httpOnly() && !tr.http {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					if c.fault != nil {
						as.SetFault(c.fault)
						defer as.SetFault(nil)
					}
					var cred Credentials
					switch {
					case c.creds != nil:
						cred = c.creds(t, as)
					case c.auth != nil:
						cred.Authorization = c.auth(as)
					}
					seen[c.variant].take()
					tr.check(t, c, rss[c.variant], calls[c.variant](t, c, cred))
					checkCounted(t, c, seen[c.variant].take())
				})
			}
		})
	}
}

// startResourceServers starts a fake authorization server in mode, which
// fetches the resource server's key from jwksURL in JWT mode, and the
// suite's resource servers, by variant, each reporting its decisions to
// seen.
func startResourceServers(t *testing.T, mode oidcrstest.Mode, jwksURL string, seen *[variants]decisions) (*oidcrstest.Server, [variants]*core.ResourceServer) {
	t.Helper()
	pem, err := oidcrstest.GenerateRSAKeyPEM(2048)
	if err != nil {
		t.Fatalf("generating the resource server key: %v", err)
	}
	as := oidcrstest.Start(t, oidcrstest.Config{Mode: mode, RSJWKSURL: jwksURL})
	st := as.Settings(pem)
	st.Timeout = asTimeout
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
	var rss [variants]*core.ResourceServer
	if rss[plain], err = core.New(st, seen[plain].option()); err != nil {
		t.Fatalf("core.New: %v", err)
	}
	if rss[withUser], err = core.New(st, hook, seen[withUser].option()); err != nil {
		t.Fatalf("core.New with a user hook: %v", err)
	}
	if rss[throttled], err = core.New(st, seen[throttled].option()); err != nil {
		t.Fatalf("core.New for the throttled variant: %v", err)
	}
	rss[disabled] = core.Disabled(st, fmt.Errorf("disabled by the conformance suite"))
	st.Resource, st.CORSOrigins = conformanceResource, []string{conformanceOrigin}
	if rss[withResource], err = core.New(st, seen[withResource].option()); err != nil {
		t.Fatalf("core.New with a resource: %v", err)
	}
	if p := rss[withResource].MetadataPath(); p != conformanceMetadata {
		t.Fatalf("the metadata path of %s is %q, want %q", conformanceResource, p, conformanceMetadata)
	}
	return as, rss
}
