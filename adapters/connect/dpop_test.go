package connectrs_test

import (
	"context"
	"net/http"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	connectrs "github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// TestRecheckStreamsDPoP checks that a stream of a DPoP-bound token,
// decided again around every message, takes its own proof again (the same
// call, not a replay), so that it can send every message.
func TestRecheckStreamsDPoP(t *testing.T) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	st := as.Settings("")
	st.ExternalURL = "https://api.example"
	rs, err := core.New(st)
	require.NoError(t, err)
	const proc = "/t.S/Watch"
	mux := http.NewServeMux()
	mux.Handle(proc, connect.NewServerStreamHandler(proc,
		func(_ context.Context, _ *connect.Request[message], ss *connect.ServerStream[message]) error {
			for _, text := range []string{"one", "two", "three"} {
				if err := ss.Send(&message{Text: text}); err != nil {
					return err
				}
			}
			return nil
		}, connect.WithCodec(jsonCodec{}),
		connect.WithInterceptors(connectrs.NewInterceptor(rs, connectrs.RecheckStreams()))))
	srv := serveH2(t, mux)

	client := adaptertest.NewDPoPClient(t)
	token := as.Mint(map[string]any{"cnf": map[string]any{"jkt": client.Thumbprint()}})
	c := connect.NewClient[message, message](srv.Client(), srv.URL+proc, connect.WithCodec(jsonCodec{}))
	req := connect.NewRequest(&message{})
	req.Header().Set("Authorization", "DPoP "+token)
	req.Header().Set("DPoP", client.Proof(http.MethodPost, st.ExternalURL+proc, token))
	ss, err := c.CallServerStream(t.Context(), req)
	require.NoError(t, err)
	var got []string
	for ss.Receive() {
		got = append(got, ss.Msg().Text)
	}
	require.NoError(t, ss.Err())
	assert.Equal(t, []string{"one", "two", "three"}, got)
}
