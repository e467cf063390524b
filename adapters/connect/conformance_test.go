package connectrs_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// codeFor is the package documentation's table, written again here, from
// the HTTP status of a verdict to the Connect code that must answer it.
var codeFor = map[int]connect.Code{
	http.StatusBadRequest:         connect.CodeInvalidArgument,
	http.StatusUnauthorized:       connect.CodeUnauthenticated,
	http.StatusForbidden:          connect.CodePermissionDenied,
	http.StatusBadGateway:         connect.CodeInternal,
	http.StatusServiceUnavailable: connect.CodeUnavailable,
}

// options turns the conformance app's routes into the interceptor's
// options: both the unary and the streaming procedure of each route get
// the route's optional mode, skipper and scope rule.
func options(opts adaptertest.ConformanceOptions) []connectrs.Option {
	var out []connectrs.Option
	skipped := map[string]bool{}
	for _, rt := range opts.Routes {
		procs := []string{adaptertest.ConnectUnaryProcedure(rt.Path), adaptertest.ConnectStreamProcedure(rt.Path)}
		if rt.Optional {
			out = append(out, connectrs.OptionalProcedures(procs...))
		}
		for _, p := range procs {
			skipped[p] = rt.Skip
			if rt.Scopes != nil {
				out = append(out, connectrs.WithScopes(p, *rt.Scopes))
			}
		}
	}
	return append(out, connectrs.WithSkipper(func(_ context.Context, p string) bool { return skipped[p] }))
}

// build is the conformance app: the test services behind the interceptor.
func build(_ *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) *http.ServeMux {
	var paths []string
	for _, rt := range opts.Routes {
		paths = append(paths, rt.Path)
	}
	return testServices(paths, replyOf, connect.WithInterceptors(connectrs.NewInterceptor(rs, options(opts)...)))
}

// TestConformance runs the shared case table over the Connect protocol,
// read off the wire as a plain HTTP client reads it: unary calls and
// server streams.
func TestConformance(t *testing.T) {
	t.Parallel()
	adaptertest.RunConformanceConnect(t, func(t *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) http.Handler {
		return build(t, rs, opts)
	})
}

// answer is what a Connect client got.
type answer struct {
	Code       string
	Message    string
	Challenge  string // the error's WWW-Authenticate metadata
	RetryAfter string
	Reply      string // the messages received, joined
}

// TestConformanceGRPCProtocol runs the shared case table through Connect's
// own client speaking the gRPC protocol, where the challenge travels as a
// trailer: unary calls and server streams.
func TestConformanceGRPCProtocol(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(map[bool]string{false: "unary", true: "stream"}[stream], func(t *testing.T) {
			t.Parallel()
			adaptertest.RunConformanceCalls(t,
				func(t *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) adaptertest.Caller[answer] {
					srv := serveH2(t, build(t, rs, opts))
					return func(t *testing.T, path string, cred adaptertest.Credentials) answer {
						return call(t, srv.Client(), srv.URL, stream, path, cred, connect.WithGRPC())
					}
				},
				func(t *testing.T, want adaptertest.Verdict, got answer) {
					if exp := expected(t, want, stream); got != exp {
						t.Errorf("answered\n  %+v\nwant\n  %+v", got, exp)
					}
				})
		})
	}
}

// call calls the procedure standing for path with a Connect client.
func call(t testing.TB, hc *http.Client, base string, stream bool, path string, cred adaptertest.Credentials, opts ...connect.ClientOption) answer {
	t.Helper()
	opts = append(opts, connect.WithCodec(jsonCodec{}))
	var replies []string
	var err error
	if stream {
		proc := adaptertest.ConnectStreamProcedure(path)
		c := connect.NewClient[message, message](hc, base+proc, opts...)
		req := connect.NewRequest(&message{Text: "hi"})
		setCredentials(req.Header(), cred, proc)
		var ss *connect.ServerStreamForClient[message]
		if ss, err = c.CallServerStream(t.Context(), req); err == nil {
			for ss.Receive() {
				replies = append(replies, ss.Msg().Text)
			}
			err = errors.Join(ss.Err(), ss.Close())
		}
	} else {
		proc := adaptertest.ConnectUnaryProcedure(path)
		c := connect.NewClient[message, message](hc, base+proc, opts...)
		req := connect.NewRequest(&message{Text: "hi"})
		setCredentials(req.Header(), cred, proc)
		var resp *connect.Response[message]
		if resp, err = c.CallUnary(t.Context(), req); err == nil {
			replies = append(replies, resp.Msg.Text)
		}
	}
	a := answer{Code: "ok", Reply: strings.Join(replies, "")}
	var ce *connect.Error
	if errors.As(err, &ce) {
		a.Code, a.Message = ce.Code().String(), ce.Message()
		a.Challenge = strings.Join(ce.Meta().Values("WWW-Authenticate"), "\n")
		a.RetryAfter = strings.Join(ce.Meta().Values("Retry-After"), "\n")
	} else if err != nil {
		t.Fatalf("calling %s: %v", path, err)
	}
	return a
}

// expected is a Connect client's answer to a verdict: a server stream
// replies twice.
func expected(t *testing.T, v adaptertest.Verdict, stream bool) answer {
	if v.Error == "" {
		if stream {
			return answer{Code: "ok", Reply: v.Reply + v.Reply}
		}
		return answer{Code: "ok", Reply: v.Reply}
	}
	c, ok := codeFor[v.Status]
	if !ok {
		t.Fatalf("no Connect code for the HTTP status %d", v.Status)
	}
	return answer{Code: c.String(), Message: v.Description, Challenge: v.Challenge, RetryAfter: v.RetryAfter}
}

// setCredentials puts cred in the headers of a call of proc, which a
// Connect client POSTs to proc's path.
func setCredentials(h http.Header, cred adaptertest.Credentials, proc string) {
	h["Authorization"] = cred.Authorization
	if cred.DPoP != nil {
		h["Dpop"] = cred.DPoP(http.MethodPost, proc)
	}
}
