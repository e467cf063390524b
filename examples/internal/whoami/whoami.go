// Package whoami is the gRPC example's service, /oidcrs.examples.Identity/WhoAmI,
// written by hand (a grpc.ServiceDesc, no generated code): its messages
// are Go structs sent as JSON, under the "json" content-subtype, which
// this package registers. The server, the example client and the tests
// share it.
package whoami

import (
	"context"
	"encoding/json"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/metadata"
)

// Method is WhoAmI's full method name.
const Method = "/oidcrs.examples.Identity/WhoAmI"

// codec is JSON, registered once for the "json" content-subtype, so that
// a server speaks it beside protobuf (the health service) and a client
// asks for it with grpc.CallContentSubtype.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (codec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (codec) Name() string                       { return "json" }

func init() { encoding.RegisterCodec(codec{}) }

// Request is WhoAmI's request: empty.
type Request struct{}

// Register registers the service on s: each call of WhoAmI, once the
// server's interceptors let it in, is answered by whoAmI.
func Register(s *grpc.Server, whoAmI func(ctx context.Context) (any, error)) {
	s.RegisterService(&grpc.ServiceDesc{
		ServiceName: "oidcrs.examples.Identity",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "WhoAmI",
			Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
				var in Request
				if err := dec(&in); err != nil {
					return nil, err
				}
				h := func(ctx context.Context, _ any) (any, error) { return whoAmI(ctx) }
				if ic == nil {
					return h(ctx, &in)
				}
				return ic(ctx, &in, &grpc.UnaryServerInfo{Server: srv, FullMethod: Method}, h)
			}}},
	}, nil)
}

// Call calls WhoAmI on conn with the bearer token (none when "") and
// decodes the answer into out (a *json.RawMessage keeps it as sent).
func Call(ctx context.Context, conn *grpc.ClientConn, token string, out any, opts ...grpc.CallOption) error {
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	return conn.Invoke(ctx, Method, &Request{}, out, append(opts, grpc.CallContentSubtype("json"))...)
}
