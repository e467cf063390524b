// Command connect is the oidcrs example server on Connect
// (connectrpc.com/connect): two procedures behind connectrs's
// interceptor, /oidcrs.examples.v1.Identity/WhoAmI and .../Admin (which
// needs the scope admin), hand-written with Go structs and Connect's JSON
// codec, so that no generated code is needed and curl can call them.
//
//	go run ./examples/connect
//
// Without OIDC_OP_URL it starts a development authorization server and
// prints curl commands to call both with its tokens; with the reference's
// OIDC_* variables it uses the real one. ADDR sets the listen address
// (default 127.0.0.1:8080), which also serves /jwks, the key an
// authorization server answering RFC 9701 JWTs encrypts to, /healthz, and
// with OIDC_RS_RESOURCE the RFC 9728 protected-resource metadata. The
// server speaks HTTP/1.1: the Connect and gRPC-Web protocols. The log goes
// to stderr: text, or JSON with LOG_FORMAT=json, at LOG_LEVEL (default
// info). METRICS=1 serves GET /metrics (Prometheus).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/examples/internal/app"
)

// The example's procedures.
const (
	whoAmI = "/oidcrs.examples.v1.Identity/WhoAmI"
	admin  = "/oidcrs.examples.v1.Identity/Admin"
)

// jsonCodec marshals plain Go structs in place of Connect's JSON codec,
// which wants generated messages; it keeps that codec's name, so that
// clients sending application/json reach it.
type jsonCodec struct{}

func (jsonCodec) Name() string                       { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(os.LookupEnv, os.Stdout)
	if err != nil {
		return err
	}
	defer a.Close()

	opts := []connect.HandlerOption{connect.WithCodec(jsonCodec{}),
		connect.WithInterceptors(connectrs.NewInterceptor(a.RS, connectrs.WithScopes(admin, core.AnyScope("admin"))))}
	mux := http.NewServeMux()
	mux.Handle(whoAmI, connect.NewUnaryHandler(whoAmI,
		func(ctx context.Context, _ *connect.Request[struct{}]) (*connect.Response[app.Me], error) {
			ti, _ := connectrs.TokenInfo(ctx)
			me := app.NewMe(ti, connectrs.OriginAudience(ctx))
			return connect.NewResponse(&me), nil
		}, opts...))
	mux.Handle(admin, connect.NewUnaryHandler(admin,
		func(ctx context.Context, _ *connect.Request[struct{}]) (*connect.Response[app.Admin], error) {
			ti, _ := connectrs.TokenInfo(ctx)
			ad := app.NewAdmin(ti)
			return connect.NewResponse(&ad), nil
		}, opts...))
	mux.Handle("GET /jwks", a.RS.JWKSHandler())
	if p := a.RS.MetadataPath(); p != "" { // with OIDC_RS_RESOURCE: RFC 9728
		mux.Handle(p, a.RS.MetadataHandler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	a.Usage = func(w io.Writer, tokens [2]string) {
		// Throw-away development tokens, printed on purpose.
		for i, proc := range []string{whoAmI, admin} {
			fmt.Fprintf(w, "  curl -i -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{}' %s%s\n",
				tokens[i], a.URL(), proc)
		}
	}
	return a.Serve(ctx, mux)
}
