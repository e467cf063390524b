// Command grpc is the oidcrs example server on gRPC: one method,
// /oidcrs.examples.Identity/WhoAmI (identitypb/identity.proto), behind
// grpcrs's interceptors, beside the standard health service and server
// reflection, which the skipper leaves public (identity.go says why).
//
//	go run ./examples/grpc
//
// Without OIDC_OP_URL it starts a development authorization server and
// prints commands (./examples/grpc/whoami, and grpcurl) to call WhoAmI
// with its token;
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
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/examples/grpc/identitypb"
	"github.com/oidcrs/oidcrs/examples/internal/app"
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

	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(a.RS, grpcrs.WithSkipper(public))),
		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(a.RS, grpcrs.WithSkipper(public))),
	)
	identitypb.RegisterIdentityServer(srv, identity{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	reflection.Register(srv)
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
		fmt.Fprintf(w, "  grpcurl -plaintext -H 'authorization: Bearer %s' %s oidcrs.examples.Identity/WhoAmI\n", tokens[0], target)
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
