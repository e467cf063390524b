// Command whoami calls the gRPC example's WhoAmI method and prints its
// answer, or the call's status and challenge.
//
//	go run ./examples/grpc/whoami -addr 127.0.0.1:9090 -token <token>
//
// The token may also come from the TOKEN environment variable.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/oidcrs/oidcrs/examples/grpc/identitypb"
)

func main() { os.Exit(run()) }

func run() int {
	addr := flag.String("addr", "127.0.0.1:9090", "the gRPC example's address")
	token := flag.String("token", os.Getenv("TOKEN"), "the bearer token (default $TOKEN; none when empty)")
	flag.Parse()
	conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if *token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+*token)
	}
	var trailer metadata.MD
	me, err := identitypb.NewIdentityClient(conn).WhoAmI(ctx, &identitypb.WhoAmIRequest{}, grpc.Trailer(&trailer))
	if err != nil {
		st := status.Convert(err)
		fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
		for _, ch := range trailer.Get("www-authenticate") {
			fmt.Fprintf(os.Stderr, "www-authenticate: %s\n", ch)
		}
		return 1
	}
	// The JSON of GET /api/me: every field, under its proto name.
	out, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(me)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println(string(out))
	return 0
}
