package connectrs_test

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// TestCodeTable checks the mapping from every status core answers, and an
// unknown one, to its Connect code.
func TestCodeTable(t *testing.T) {
	for status, want := range codeFor {
		assert.Equal(t, want, connectrs.Code(status), "status %d", status)
	}
	assert.Equal(t, connect.CodeInternal, connectrs.Code(http.StatusInternalServerError))
}

// TestSetupPanics checks that wiring mistakes show at start-up.
func TestSetupPanics(t *testing.T) {
	assert.PanicsWithValue(t, "connectrs: NewInterceptor with a nil *core.ResourceServer",
		func() { connectrs.NewInterceptor(nil) })
	for _, bad := range []string{"", "Svc/M", "/Svc", "/Svc/", "//M", "/a/b/c"} {
		assert.Panics(t, func() { connectrs.WithScopes(bad, core.AnyScope("x")) }, "WithScopes(%q)", bad)
		assert.Panics(t, func() { connectrs.OptionalProcedures(bad) }, "OptionalProcedures(%q)", bad)
	}
}

// TestClientCallsPass checks that the interceptor, installed on a client,
// neither authenticates nor refuses its calls.
func TestClientCallsPass(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	srv := serveH2(t, testServices([]string{"/open"}, func(context.Context) string { return "hi" }))
	opts := []connect.ClientOption{connect.WithInterceptors(connectrs.NewInterceptor(rs))}
	for _, stream := range []bool{false, true} {
		got := call(t, srv.Client(), srv.URL, stream, "/open", adaptertest.Credentials{}, opts...)
		assert.Equal(t, "ok", got.Code, "stream %v", stream)
	}
}

// TestRecheckStreams checks that a stream rechecked on every message ends
// with the error of the first failure, once its token is revoked, after
// having sent what it could.
func TestRecheckStreams(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	tok := as.Mint(nil)
	sent := make(chan struct{})
	proceed := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/t.S/Watch", connect.NewServerStreamHandler("/t.S/Watch",
		func(_ context.Context, _ *connect.Request[message], ss *connect.ServerStream[message]) error {
			if err := ss.Send(&message{Text: "one"}); err != nil {
				return err
			}
			close(sent)
			<-proceed
			_ = ss.Send(&message{Text: "two"}) // refused: the handler's own answer must not win
			return nil
		}, connect.WithCodec(jsonCodec{}),
		connect.WithInterceptors(connectrs.NewInterceptor(rs, connectrs.RecheckStreams()))))
	srv := serveH2(t, mux)
	c := connect.NewClient[message, message](srv.Client(), srv.URL+"/t.S/Watch", connect.WithCodec(jsonCodec{}))
	req := connect.NewRequest(&message{})
	req.Header().Set("Authorization", "Bearer "+tok)
	ss, err := c.CallServerStream(t.Context(), req)
	require.NoError(t, err)
	require.True(t, ss.Receive(), "first message: %v", ss.Err())
	assert.Equal(t, "one", ss.Msg().Text)
	<-sent
	as.Revoke(tok)
	require.NoError(t, rs.Forget(t.Context(), tok)) // or the cached verdict lets it on
	close(proceed)
	assert.False(t, ss.Receive(), "a message sent after the revocation")
	assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(ss.Err()))
	var ce *connect.Error
	require.ErrorAs(t, ss.Err(), &ce)
	assert.Contains(t, ce.Meta().Get("WWW-Authenticate"), `error="invalid_token"`)
}
