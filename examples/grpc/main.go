// Command grpc is the oidcrs example server on gRPC: one method,
// /oidcrs.examples.Identity/WhoAmI, behind grpcrs's interceptors, and the
// standard health service, which the skipper leaves public.
//
//	go run ./examples/grpc
//
// Without OIDC_OP_URL it starts a development authorization server and
// prints a command (./examples/grpc/whoami) to call WhoAmI with its token;
// with the reference's OIDC_* variables it uses the real one. GRPC_ADDR
// sets the gRPC listen address (default 127.0.0.1:9090); ADDR the HTTP one
// (default 127.0.0.1:8080), which serves /jwks, the key an authorization
// server answering RFC 9701 JWTs encrypts to, /healthz, with
// OIDC_RS_RESOURCE the RFC 9728 protected-resource metadata, and with
// METRICS=1 GET /metrics (Prometheus). The log goes to stderr: text, or
// JSON with LOG_FORMAT=json, at LOG_LEVEL (default info).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/examples/internal/app"
	"github.com/oidcrs/oidcrs/examples/internal/whoami"
)

// defaultGRPCAddr is where the gRPC server listens without GRPC_ADDR.
const defaultGRPCAddr = "127.0.0.1:9090"

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
	addr := os.Getenv("GRPC_ADDR")
	if addr == "" {
		addr = defaultGRPCAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}

	public := func(_ context.Context, method string) bool {
		return strings.HasPrefix(method, "/grpc.health.v1.Health/")
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(a.RS, grpcrs.WithSkipper(public))),
		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(a.RS, grpcrs.WithSkipper(public))),
	)
	whoami.Register(srv, func(ctx context.Context) (any, error) {
		ti, _ := grpcrs.TokenInfo(ctx)
		return app.NewMe(ti, grpcrs.OriginAudience(ctx)), nil
	})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	a.Also(func() error { return srv.Serve(ln) }, func() { gracefulStop(srv) })

	mux := http.NewServeMux()
	mux.Handle("GET /jwks", a.RS.JWKSHandler())
	if p := a.RS.MetadataPath(); p != "" { // with OIDC_RS_RESOURCE: RFC 9728
		mux.Handle("GET "+p, a.RS.MetadataHandler())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	target := ln.Addr().String()
	a.Usage = func(w io.Writer, tokens [2]string) {
		// A throw-away development token, printed on purpose.
		fmt.Fprintf(w, "  go run ./examples/grpc/whoami -addr %s -token %s\n", target, tokens[0])
	}
	fmt.Printf("Serving gRPC on %s\n", target)
	return a.Serve(ctx, mux)
}

// gracefulStop lets calls in flight finish, for 10 seconds at most, then
// closes the rest (a long stream, say).
func gracefulStop(srv *grpc.Server) {
	done := make(chan struct{})
	go func() { srv.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		srv.Stop()
	}
}
