// Command whoami calls the gRPC example's WhoAmI method and prints its
// answer, or the call's status and challenge.
//
//	go run ./examples/grpc/whoami -addr 127.0.0.1:9090 -token <token>
//
// The token may also come from the TOKEN environment variable.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/oidcrs/oidcrs/examples/internal/whoami"
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
	var me json.RawMessage
	var trailer metadata.MD
	if err := whoami.Call(ctx, conn, *token, &me, grpc.Trailer(&trailer)); err != nil {
		st := status.Convert(err)
		fmt.Fprintf(os.Stderr, "%s: %s\n", st.Code(), st.Message())
		for _, ch := range trailer.Get("www-authenticate") {
			fmt.Fprintf(os.Stderr, "www-authenticate: %s\n", ch)
		}
		return 1
	}
	fmt.Println(string(me))
	return 0
}
