package connectrs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// jsonCodec lets the tests and examples use plain Go structs as messages,
// with hand-written handlers: no generated code. It takes the name of
// Connect's own JSON codec, so that clients speaking JSON reach it.
type jsonCodec struct{}

func (jsonCodec) Name() string                       { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// message is every request and reply of the test services.
type message struct {
	Text string `json:"text"`
}

// testServices returns a mux serving, for each route path, the unary and
// the server-streaming procedure of adaptertest's Connect services behind
// opts (the interceptor); each handler answers reply(ctx), a stream twice.
func testServices(paths []string, reply func(context.Context) string, opts ...connect.HandlerOption) *http.ServeMux {
	opts = append(opts, connect.WithCodec(jsonCodec{}))
	mux := http.NewServeMux()
	for _, p := range paths {
		mux.Handle(adaptertest.ConnectUnaryProcedure(p), connect.NewUnaryHandler(adaptertest.ConnectUnaryProcedure(p),
			func(ctx context.Context, _ *connect.Request[message]) (*connect.Response[message], error) {
				return connect.NewResponse(&message{Text: reply(ctx)}), nil
			}, opts...))
		mux.Handle(adaptertest.ConnectStreamProcedure(p), connect.NewServerStreamHandler(adaptertest.ConnectStreamProcedure(p),
			func(ctx context.Context, _ *connect.Request[message], ss *connect.ServerStream[message]) error {
				for range 2 {
					if err := ss.Send(&message{Text: reply(ctx)}); err != nil {
						return err
					}
				}
				return nil
			}, opts...))
	}
	return mux
}

// serveH2 serves h over HTTP/2 with TLS, as the gRPC protocol needs, and
// returns the server; it stops when the test ends.
func serveH2(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// replyOf is the conformance handlers' reply, read through the adapter's
// accessors.
func replyOf(ctx context.Context) string {
	ti, _ := connectrs.TokenInfo(ctx)
	user, _ := connectrs.User(ctx)
	return adaptertest.ConformanceReply(ti, connectrs.OriginAudience(ctx), user)
}
