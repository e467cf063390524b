package connectrs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// identity is WhoAmI's answer.
type identity struct {
	Subject string `json:"sub"`
}

func ExampleNewInterceptor() {
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

	// A hand-written handler with Go structs and a JSON codec: no
	// generated code. The interceptor guards it.
	const whoAmI = "/example.v1.Identity/WhoAmI"
	interceptor := connectrs.NewInterceptor(rs, connectrs.WithScopes(whoAmI, core.AnyScope("groups")))
	mux := http.NewServeMux()
	mux.Handle(whoAmI, connect.NewUnaryHandler(whoAmI,
		func(ctx context.Context, _ *connect.Request[struct{}]) (*connect.Response[identity], error) {
			ti, _ := connectrs.TokenInfo(ctx) // the interceptor let the call in: ti is set
			return connect.NewResponse(&identity{Subject: ti.Subject}), nil
		}, connect.WithCodec(jsonCodec{}), connect.WithInterceptors(interceptor)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	client := connect.NewClient[struct{}, identity](srv.Client(), srv.URL+whoAmI, connect.WithCodec(jsonCodec{}))
	_, err = client.CallUnary(context.Background(), connect.NewRequest(&struct{}{}))
	var ce *connect.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Code(), ce.Meta().Get("WWW-Authenticate"))
	}

	req := connect.NewRequest(&struct{}{})
	req.Header().Set("Authorization", "Bearer "+as.Mint(nil))
	resp, err := client.CallUnary(context.Background(), req)
	if err != nil {
		panic(err)
	}
	fmt.Println("sub:", resp.Msg.Subject)
	// Output:
	// unauthenticated Bearer realm="oidcrs"
	// sub: user-1
}
