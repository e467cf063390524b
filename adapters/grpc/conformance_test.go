package grpcrs_test

import (
	"context"
	"net/http"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// codeFor is the package documentation's table, written again here, from
// the HTTP status of a verdict to the gRPC code that must answer it.
var codeFor = map[int]codes.Code{
	http.StatusBadRequest:         codes.InvalidArgument,
	http.StatusUnauthorized:       codes.Unauthenticated,
	http.StatusForbidden:          codes.PermissionDenied,
	http.StatusBadGateway:         codes.Internal,
	http.StatusServiceUnavailable: codes.Unavailable,
}

// options turns the conformance app's routes into the interceptors'
// options: both the unary and the streaming method of each route get the
// route's optional mode, skipper and scope rule.
func options(opts adaptertest.ConformanceOptions) []grpcrs.Option {
	var out []grpcrs.Option
	skipped := map[string]bool{}
	for _, rt := range opts.Routes {
		methods := []string{unaryMethod(rt.Path), streamMethod(rt.Path)}
		if rt.Optional {
			out = append(out, grpcrs.OptionalMethods(methods...))
		}
		for _, m := range methods {
			skipped[m] = rt.Skip
			if rt.Scopes != nil {
				out = append(out, grpcrs.WithScopes(m, *rt.Scopes))
			}
		}
	}
	return append(out, grpcrs.WithSkipper(func(_ context.Context, m string) bool { return skipped[m] }))
}

// TestConformance runs the shared case table as gRPC calls: the same
// tokens and verdicts, codes instead of statuses, the fixed description as
// the message and the challenge as trailing metadata. Unary calls and
// server streams, over a real loopback listener and in process (bufconn).
func TestConformance(t *testing.T) {
	for _, transport := range []struct {
		name     string
		loopback bool
	}{{"loopback", true}, {"bufconn", false}} {
		for _, stream := range []bool{false, true} {
			name := transport.name + "/unary"
			if stream {
				name = transport.name + "/stream"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				adaptertest.RunConformanceCalls(t,
					func(t *testing.T, rs *core.ResourceServer, opts adaptertest.ConformanceOptions) adaptertest.Caller[answer] {
						var paths []string
						for _, rt := range opts.Routes {
							paths = append(paths, rt.Path)
						}
						o := options(opts)
						conn := serve(t, transport.loopback, testServices(paths, replyOf),
							grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs, o...)),
							grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs, o...)))
						return func(t *testing.T, path string, cred adaptertest.Credentials) answer {
							method := unaryMethod(path)
							if stream {
								method = streamMethod(path)
							}
							ctx := t.Context()
							if cred.DPoP != nil {
								for _, p := range cred.DPoP(http.MethodPost, method) {
									ctx = metadata.AppendToOutgoingContext(ctx, "dpop", p)
								}
							}
							return call(t, ctx, conn, stream, method, cred.Authorization)
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
}

// expected is the gRPC answer to a verdict: a server stream replies twice.
func expected(t *testing.T, v adaptertest.Verdict, stream bool) answer {
	if v.Error == "" {
		if stream {
			return answer{Code: codes.OK.String(), Reply: v.Reply + v.Reply}
		}
		return answer{Code: codes.OK.String(), Reply: v.Reply}
	}
	c, ok := codeFor[v.Status]
	if !ok {
		t.Fatalf("no gRPC code for the HTTP status %d", v.Status)
	}
	return answer{Code: c.String(), Message: v.Description, Challenge: v.Challenge, RetryAfter: v.RetryAfter}
}
