package grpcrs_test

import (
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	grpcrs "github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// TestRecheckStreamsDPoP checks that a stream of a DPoP-bound token,
// decided again on every message, takes its own proof again (the same
// call, not a replay) and still ends when the token is revoked.
func TestRecheckStreamsDPoP(t *testing.T) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	st := as.Settings("")
	st.DisableCache = true
	st.ExternalURL = "https://api.example"
	rs, err := core.New(st)
	require.NoError(t, err)
	conn := serve(t, true, []*grpc.ServiceDesc{&chat},
		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs, grpcrs.RecheckStreams())))
	client := adaptertest.NewDPoPClient(t)
	const method = "/oidcrs.test.Chat/Talk"
	token := as.Mint(map[string]any{"cnf": map[string]any{"jkt": client.Thumbprint()}})
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "DPoP "+token,
		"dpop", client.Proof(http.MethodPost, st.ExternalURL+method, token))
	cs, err := conn.NewStream(ctx, &chat.Streams[0], method)
	require.NoError(t, err)
	var out message
	for _, text := range []string{"1", "2", "3"} {
		require.NoError(t, cs.SendMsg(&message{Text: text}))
		require.NoError(t, cs.RecvMsg(&out), "message %s: the stream's own proof is taken again", text)
		assert.Equal(t, oidcrstest.DefaultSubject, out.Text)
	}

	as.Revoke(token)
	require.NoError(t, cs.SendMsg(&message{Text: "4"}))
	require.NoError(t, cs.CloseSend())
	for err = cs.RecvMsg(&out); err == nil; err = cs.RecvMsg(&out) {
	}
	require.False(t, errors.Is(err, io.EOF), "the revoked token ends the stream")
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	assert.Contains(t, cs.Trailer().Get("www-authenticate")[0], `DPoP realm="oidcrs", error="invalid_token"`)
}
