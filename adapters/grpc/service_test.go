package grpcrs_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

// The test services, hand-written (no generated code): for each route
// path p, a unary method /oidcrs.test.Unary<p> and a server-streaming
// method /oidcrs.test.Stream<p>, whose handlers answer what reply makes of
// their context; messages are JSON (jsonCodec).
const (
	unaryService  = "oidcrs.test.Unary"
	streamService = "oidcrs.test.Stream"
)

func unaryMethod(path string) string  { return "/" + unaryService + path }
func streamMethod(path string) string { return "/" + streamService + path }

// message is every request and response of the test services.
type message struct {
	Text string `json:"text"`
}

// testServices returns the test services for paths; each handler answers
// reply(ctx), a server stream twice.
func testServices(paths []string, reply func(context.Context) string) []*grpc.ServiceDesc {
	u := &grpc.ServiceDesc{ServiceName: unaryService, HandlerType: (*any)(nil)}
	s := &grpc.ServiceDesc{ServiceName: streamService, HandlerType: (*any)(nil)}
	for _, p := range paths {
		name, full := strings.TrimPrefix(p, "/"), unaryMethod(p)
		u.Methods = append(u.Methods, grpc.MethodDesc{MethodName: name,
			Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
				var in message
				if err := dec(&in); err != nil {
					return nil, err
				}
				h := func(ctx context.Context, _ any) (any, error) { return &message{Text: reply(ctx)}, nil }
				if ic == nil {
					return h(ctx, &in)
				}
				return ic(ctx, &in, &grpc.UnaryServerInfo{Server: srv, FullMethod: full}, h)
			}})
		s.Streams = append(s.Streams, grpc.StreamDesc{StreamName: name, ServerStreams: true,
			Handler: func(_ any, ss grpc.ServerStream) error {
				var in message
				if err := ss.RecvMsg(&in); err != nil {
					return err
				}
				for range 2 {
					if err := ss.SendMsg(&message{Text: reply(ss.Context())}); err != nil {
						return err
					}
				}
				return nil
			}})
	}
	return []*grpc.ServiceDesc{u, s}
}

// serve serves services on a new server with opts (the interceptors), on
// a real loopback listener or an in-process bufconn one, and returns a
// client connection to it. Both stop when the test ends.
func serve(t testing.TB, loopback bool, services []*grpc.ServiceDesc, opts ...grpc.ServerOption) *grpc.ClientConn {
	t.Helper()
	srv := grpc.NewServer(append(opts, grpc.ForceServerCodec(jsonCodec{}))...)
	for _, sd := range services {
		srv.RegisterService(sd, nil)
	}
	dial := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(jsonCodec{}))}
	var ln net.Listener
	target := "passthrough:///bufconn"
	if loopback {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, target = l, l.Addr().String()
	} else {
		bl := bufconn.Listen(1 << 20)
		ln = bl
		dial = append(dial, grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return bl.DialContext(ctx) }))
	}
	go func() { _ = srv.Serve(ln) }()
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(); srv.Stop() })
	return conn
}

// answer is what a call got.
type answer struct {
	Code       string
	Message    string
	Challenge  string // the www-authenticate trailer
	RetryAfter string // the retry-after trailer
	Reply      string // the messages received, joined
}

// call makes a unary call of method, or a server-streaming one, sending
// authorization as the authorization metadata.
func call(t testing.TB, ctx context.Context, conn *grpc.ClientConn, stream bool, method string, authorization []string) answer {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for _, v := range authorization {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", v)
	}
	var trailer metadata.MD
	var replies []string
	var err error
	if stream {
		replies, trailer, err = callStream(ctx, conn, method)
	} else {
		var out message
		err = conn.Invoke(ctx, method, &message{Text: "hi"}, &out, grpc.Trailer(&trailer))
		if err == nil {
			replies = []string{out.Text}
		}
	}
	st := status.Convert(err)
	return answer{Code: st.Code().String(), Message: st.Message(), Reply: strings.Join(replies, ""),
		Challenge: strings.Join(trailer.Get("www-authenticate"), "\n"), RetryAfter: strings.Join(trailer.Get("retry-after"), "\n")}
}

func callStream(ctx context.Context, conn *grpc.ClientConn, method string) ([]string, metadata.MD, error) {
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
	if err != nil {
		return nil, nil, err
	}
	if err := cs.SendMsg(&message{Text: "hi"}); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if err := cs.CloseSend(); err != nil {
		return nil, nil, err
	}
	var replies []string
	for {
		var out message
		if err := cs.RecvMsg(&out); err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return replies, cs.Trailer(), err
		}
		replies = append(replies, out.Text)
	}
}

// replyOf is the conformance handlers' reply, read through the adapter's
// accessors.
func replyOf(ctx context.Context) string {
	ti, _ := grpcrs.TokenInfo(ctx)
	user, _ := grpcrs.User(ctx)
	return adaptertest.ConformanceReply(ti, grpcrs.OriginAudience(ctx), user)
}
