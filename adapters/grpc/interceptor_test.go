package grpcrs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// TestNilResourceServerPanicsAtSetup checks that a server wired without a
// resource server, or with a rule on a name that is not a full method
// name, never starts serving.
func TestNilResourceServerPanicsAtSetup(t *testing.T) {
	for _, tc := range []struct {
		name, msg string
		setup     func()
	}{
		{"unary", "grpcrs: UnaryServerInterceptor with a nil *core.ResourceServer",
			func() { grpcrs.UnaryServerInterceptor(nil) }},
		{"optional stream", "grpcrs: StreamServerInterceptor with a nil *core.ResourceServer",
			func() { grpcrs.StreamServerInterceptor(nil, grpcrs.Optional()) }},
		{"scope rule without a slash", "grpcrs: WithScopes: pkg.Svc/Method is not a full method name (/package.Service/Method)",
			func() { grpcrs.WithScopes("pkg.Svc/Method", core.AnyScope("admin")) }},
		{"scope rule on a service", "grpcrs: WithScopes: /pkg.Svc is not a full method name (/package.Service/Method)",
			func() { grpcrs.WithScopes("/pkg.Svc", core.AnyScope("admin")) }},
		{"optional method with two slashes", "grpcrs: OptionalMethods: /pkg.Svc/A/B is not a full method name (/package.Service/Method)",
			func() { grpcrs.OptionalMethods("/pkg.Svc/Ok", "/pkg.Svc/A/B") }},
	} {
		t.Run(tc.name, func(t *testing.T) { require.PanicsWithValue(t, tc.msg, tc.setup) })
	}
}

// TestCodes checks the mapping of every status core answers with.
func TestCodes(t *testing.T) {
	for status, want := range map[int]codes.Code{
		http.StatusBadRequest:          codes.InvalidArgument,
		http.StatusUnauthorized:        codes.Unauthenticated,
		http.StatusForbidden:           codes.PermissionDenied,
		http.StatusBadGateway:          codes.Internal,
		http.StatusServiceUnavailable:  codes.Unavailable,
		http.StatusInternalServerError: codes.Internal,
	} {
		assert.Equal(t, want, grpcrs.Code(status), "HTTP %d", status)
	}
}

// TestOptionsOnEveryMethod checks Optional (every method) and a skipper
// that reads the call's metadata, with a scope rule that still applies to
// a skipped call.
func TestOptionsOnEveryMethod(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	public := func(ctx context.Context, _ string) bool {
		return len(metadata.ValueFromIncomingContext(ctx, "x-public")) > 0
	}
	opts := []grpcrs.Option{grpcrs.Optional(), grpcrs.WithSkipper(public),
		grpcrs.WithScopes(unaryMethod("/admin"), core.AnyScope("admin"))}
	conn := serve(t, true, testServices([]string{"/a", "/admin"}, replyOf),
		grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs, opts...)))
	ctx := context.Background()
	publicCtx := metadata.AppendToOutgoingContext(ctx, "x-public", "1")
	bad := []string{"Bearer unknown-token"}

	assert.Equal(t, "anonymous\n", call(t, ctx, conn, false, unaryMethod("/a"), nil).Reply)
	assert.Equal(t, codes.Unauthenticated.String(), call(t, ctx, conn, false, unaryMethod("/a"), bad).Code)
	assert.Equal(t, "anonymous\n", call(t, publicCtx, conn, false, unaryMethod("/a"), bad).Reply, "skipped")
	got := call(t, publicCtx, conn, false, unaryMethod("/admin"), []string{"Bearer " + as.Mint(nil)})
	assert.Equal(t, codes.Unauthenticated.String(), got.Code, "a skipped call has no token for the scope rule")
	got = call(t, ctx, conn, false, unaryMethod("/admin"), []string{"Bearer " + as.Mint(map[string]any{"scope": "groups admin"})})
	assert.Equal(t, codes.OK.String(), got.Code)
}

// TestOutsideAServer checks that the interceptor fails closed, without a
// panic, when called outside a gRPC server (no stream for the trailer).
func TestOutsideAServer(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	ic := grpcrs.UnaryServerInterceptor(rs)
	reached := false
	_, err := ic(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "/a.B/C"},
		func(context.Context, any) (any, error) { reached = true; return nil, nil })
	assert.False(t, reached)
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
}

// chat is a bidirectional stream, /oidcrs.test.Chat/Talk, that answers
// each message with the token's subject. It ignores every error, so that
// the status the stream ends with is the interceptor's.
var chat = grpc.ServiceDesc{ServiceName: "oidcrs.test.Chat", HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{StreamName: "Talk", ServerStreams: true, ClientStreams: true,
		Handler: func(_ any, ss grpc.ServerStream) error {
			for {
				var in message
				if err := ss.RecvMsg(&in); err != nil {
					return nil
				}
				ti, _ := grpcrs.TokenInfo(ss.Context())
				if err := ss.SendMsg(&message{Text: ti.Subject}); err != nil {
					return nil
				}
			}
		}}}}

// TestRecheckStreams checks that a stream is authenticated once, at its
// start, unless RecheckStreams: then a token revoked (the cache off) or
// expired (the clock moved on) mid-stream ends it.
func TestRecheckStreams(t *testing.T) {
	// The resource server's clock runs a minute ahead of the authorization
	// server's, so that a token's iat (whole seconds) is never in its future.
	var now atomic.Int64
	now.Store(time.Now().Add(time.Minute).UnixNano())
	clock := core.WithClock(func() time.Time { return time.Unix(0, now.Load()) })
	as := oidcrstest.Start(t, oidcrstest.Config{})
	uncached := as.Settings("")
	uncached.DisableCache = true
	for _, tc := range []struct {
		name    string
		recheck bool
		cached  bool // else the cache is off
		change  func(token string)
		code    codes.Code
		message string
	}{
		{"revoked, once", false, false, as.Revoke, codes.OK, ""},
		{"revoked, rechecked", true, false, as.Revoke, codes.Unauthenticated, "Introspected user is not active"},
		{"expired, once", false, true, func(string) { now.Add(int64(2 * time.Hour)) }, codes.OK, ""},
		{"expired, rechecked", true, true, func(string) { now.Add(int64(2 * time.Hour)) }, codes.Unauthenticated, "Token has expired."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := uncached
			if tc.cached {
				st = as.Settings("")
			}
			rs, err := core.New(st, clock)
			require.NoError(t, err)
			var opts []grpcrs.Option
			if tc.recheck {
				opts = append(opts, grpcrs.RecheckStreams())
			}
			conn := serve(t, true, []*grpc.ServiceDesc{&chat}, grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs, opts...)))
			token := as.Mint(map[string]any{"exp": time.Unix(0, now.Load()).Add(time.Hour).Unix()})
			ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token)
			cs, err := conn.NewStream(ctx, &chat.Streams[0], "/oidcrs.test.Chat/Talk")
			require.NoError(t, err)
			var out message
			require.NoError(t, cs.SendMsg(&message{Text: "1"}))
			require.NoError(t, cs.RecvMsg(&out))
			assert.Equal(t, oidcrstest.DefaultSubject, out.Text)

			tc.change(token)
			require.NoError(t, cs.SendMsg(&message{Text: "2"}))
			require.NoError(t, cs.CloseSend())
			for err = cs.RecvMsg(&out); err == nil; err = cs.RecvMsg(&out) {
				assert.Equal(t, oidcrstest.DefaultSubject, out.Text)
			}
			if tc.code == codes.OK {
				require.True(t, errors.Is(err, io.EOF), "%v", err)
				return
			}
			assert.Equal(t, tc.code, status.Code(err))
			assert.Equal(t, tc.message, status.Convert(err).Message())
			assert.Contains(t, cs.Trailer().Get("www-authenticate")[0], `error="invalid_token"`)
		})
	}
}

// TestScopesAdvertised checks that the per-method rules' scopes reach the
// RFC 9728 metadata, which an application serves beside gRPC.
func TestScopesAdvertised(t *testing.T) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	st := as.Settings("")
	st.Resource = "https://api.example/"
	rs, err := core.New(st)
	require.NoError(t, err)
	grpcrs.UnaryServerInterceptor(rs, grpcrs.WithScopes("/shop.Orders/Cancel", core.AllScopes("orders", "admin")))
	w := adaptertest.Get(rs.MetadataHandler(), rs.MetadataPath(), "")
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var doc struct {
		Scopes []string `json:"scopes_supported"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &doc))
	assert.Subset(t, doc.Scopes, []string{"orders", "admin"})
}
