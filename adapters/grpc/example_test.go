package grpcrs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// jsonCodec lets the examples and tests use plain Go structs as messages,
// with a hand-written grpc.ServiceDesc: no generated code.
type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (jsonCodec) Name() string                       { return "json" }

// identity is WhoAmI's answer.
type identity struct {
	Subject  string `json:"sub"`
	Audience string `json:"audience"`
}

// whoAmI is a one-method service, /example.Identity/WhoAmI, answering the
// token's subject and origin audience.
var whoAmI = grpc.ServiceDesc{
	ServiceName: "example.Identity",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "WhoAmI",
		Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			var in struct{}
			if err := dec(&in); err != nil {
				return nil, err
			}
			return ic(ctx, &in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/example.Identity/WhoAmI"},
				func(ctx context.Context, _ any) (any, error) {
					ti, _ := grpcrs.TokenInfo(ctx) // the interceptor let the call in: ti is set
					return &identity{Subject: ti.Subject, Audience: grpcrs.OriginAudience(ctx)}, nil
				})
		}}},
}

func ExampleUnaryServerInterceptor() {
	// A fake authorization server stands in for the real one.
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}

	srv := grpc.NewServer(grpc.ForceServerCodec(jsonCodec{}),
		grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs,
			grpcrs.WithScopes("/example.Identity/WhoAmI", core.AnyScope("groups")))))
	srv.RegisterService(&whoAmI, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(jsonCodec{})))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	for _, token := range []string{"", as.Mint(nil), "not-a-known-token"} {
		ctx := context.Background()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		var out identity
		var trailer metadata.MD
		err := conn.Invoke(ctx, "/example.Identity/WhoAmI", &struct{}{}, &out, grpc.Trailer(&trailer))
		if err != nil {
			st := status.Convert(err)
			fmt.Printf("%s: %s\n  www-authenticate: %s\n", st.Code(), st.Message(), trailer.Get("www-authenticate")[0])
			continue
		}
		fmt.Printf("OK: %s, from %s\n", out.Subject, out.Audience)
	}
	// Output:
	// Unauthenticated: Authentication credentials were not provided.
	//   www-authenticate: Bearer realm="oidcrs"
	// OK: user-1, from sp-client
	// Unauthenticated: Introspected user is not active
	//   www-authenticate: Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"
}

func ExampleStreamServerInterceptor() {
	as, err := oidcrstest.New(oidcrstest.Config{})
	if err != nil {
		panic(err)
	}
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	if err != nil {
		panic(err)
	}

	// A server stream, /example.Greeter/Greet, open to anonymous callers.
	greeter := grpc.ServiceDesc{ServiceName: "example.Greeter", HandlerType: (*any)(nil),
		Streams: []grpc.StreamDesc{{StreamName: "Greet", ServerStreams: true,
			Handler: func(_ any, ss grpc.ServerStream) error {
				var in struct{}
				if err := ss.RecvMsg(&in); err != nil {
					return err
				}
				name := "stranger"
				if ti, ok := grpcrs.TokenInfo(ss.Context()); ok { // the stream's context
					name = ti.Subject
				}
				for _, greeting := range []string{"hello", "goodbye"} {
					if err := ss.SendMsg(greeting + " " + name); err != nil {
						return err
					}
				}
				return nil
			}}}}
	srv := grpc.NewServer(grpc.ForceServerCodec(jsonCodec{}), grpc.ChainStreamInterceptor(
		grpcrs.StreamServerInterceptor(rs, grpcrs.OptionalMethods("/example.Greeter/Greet"))))
	srv.RegisterService(&greeter, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(jsonCodec{})))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	for _, token := range []string{"", as.Mint(nil), "not-a-known-token"} {
		ctx := context.Background()
		if token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
		}
		cs, err := conn.NewStream(ctx, &greeter.Streams[0], "/example.Greeter/Greet")
		if err != nil {
			panic(err)
		}
		_ = cs.SendMsg(struct{}{})
		_ = cs.CloseSend()
		for {
			var greeting string
			if err := cs.RecvMsg(&greeting); err != nil {
				if !errors.Is(err, io.EOF) {
					st := status.Convert(err)
					fmt.Printf("%s: %s\n", st.Code(), st.Message())
				}
				break
			}
			fmt.Println(greeting)
		}
	}
	// Output:
	// hello stranger
	// goodbye stranger
	// hello user-1
	// goodbye user-1
	// Unauthenticated: Introspected user is not active
}
