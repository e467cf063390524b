package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oidcrs/oidcrs/core"
)

// The test services of RunConformanceConnect: for each route path p, a
// unary procedure ConnectUnaryProcedure(p) and a server-streaming one
// ConnectStreamProcedure(p). Requests and replies are the JSON object
// {"text": "..."}; a unary handler replies once with ConformanceReply's
// text, a streaming one twice.
const (
	connectUnaryService  = "/oidcrs.test.Unary"
	connectStreamService = "/oidcrs.test.Stream"
)

// ConnectUnaryProcedure is the unary procedure that stands for the route
// at path in RunConformanceConnect.
func ConnectUnaryProcedure(path string) string { return connectUnaryService + path }

// ConnectStreamProcedure is the server-streaming procedure that stands for
// the route at path in RunConformanceConnect.
func ConnectStreamProcedure(path string) string { return connectStreamService + path }

// connectCode is the Connect protocol's code for a verdict's HTTP status,
// and the HTTP status the protocol gives that code on a unary call:
// package connectrs's table, written again here.
var connectCode = map[int]struct {
	code   string
	status int
}{
	http.StatusBadRequest:         {"invalid_argument", http.StatusBadRequest},
	http.StatusUnauthorized:       {"unauthenticated", http.StatusUnauthorized},
	http.StatusForbidden:          {"permission_denied", http.StatusForbidden},
	http.StatusBadGateway:         {"internal", http.StatusInternalServerError},
	http.StatusServiceUnavailable: {"unavailable", http.StatusServiceUnavailable},
}

// connectAnswer is what a Connect protocol call got, read off the wire:
// the challenge and Retry-After from a unary answer's headers or a
// stream's end-of-stream metadata.
type connectAnswer struct {
	Status      int
	ContentType string
	Code        string // the error's code, "" on success
	Message     string // the error's message
	Challenge   string
	RetryAfter  string
	Reply       string // the reply messages' texts, joined
}

// RunConformanceConnect runs the conformance table of RunConformance over
// the Connect protocol, as a plain HTTP client speaks it (JSON, POST): the
// app that build returns serves the test services above behind the
// adapter, and every case is called as a unary procedure and as a server
// stream. An answer must match the verdict field for field: the Connect
// code of the verdict's status, the fixed description as the message, the
// challenge and Retry-After byte for byte (unary: the response headers,
// with Connect's HTTP status for the code; stream: the end-of-stream
// metadata). The JWKS and metadata cases, HTTP's alone, are left out.
func RunConformanceConnect(t *testing.T, build ConformanceBuilder) {
	t.Helper()
	for _, stream := range []bool{false, true} {
		name := map[bool]string{false: "unary", true: "stream"}[stream]
		t.Run(name, func(t *testing.T) {
			runCases(t, transport[connectAnswer]{
				build: func(t *testing.T, rs *core.ResourceServer, opts ConformanceOptions) (methodCaller[connectAnswer], http.Handler) {
					h := build(t, rs, opts)
					if h == nil {
						t.Fatalf("the builder returned a nil handler")
					}
					srv := httptest.NewServer(h)
					t.Cleanup(srv.Close)
					return func(t *testing.T, c conformanceCase, cred Credentials) connectAnswer {
						return connectCall(t, srv, stream, c.path, cred)
					}, rs.JWKSHandler()
				},
				check: func(t *testing.T, c conformanceCase, _ *core.ResourceServer, got connectAnswer) {
					if want := connectExpected(t, c.want, stream); got != want {
						t.Errorf("%s answered\n  %+v\nwant\n  %+v", c.path, got, want)
					}
				},
			})
		})
	}
}

// connectExpected is the Connect protocol's answer to a verdict.
func connectExpected(t *testing.T, v Verdict, stream bool) connectAnswer {
	ct := "application/json"
	if stream {
		ct = "application/connect+json"
	}
	if v.Error == "" {
		if stream {
			return connectAnswer{Status: http.StatusOK, ContentType: ct, Reply: v.Reply + v.Reply}
		}
		return connectAnswer{Status: http.StatusOK, ContentType: ct, Reply: v.Reply}
	}
	c, ok := connectCode[v.Status]
	if !ok {
		t.Fatalf("no Connect code for the HTTP status %d", v.Status)
	}
	a := connectAnswer{Status: c.status, ContentType: ct, Code: c.code, Message: v.Description,
		Challenge: v.Challenge, RetryAfter: v.RetryAfter}
	if stream { // a stream's HTTP status is 200; the error ends the body
		a.Status = http.StatusOK
	}
	return a
}
