package grpcrs_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/tlstest"
)

// The client certificate of a call over TLS reaches the handler's
// context, for certificate-bound tokens; a call without TLS has none.
func TestPeerTLS(t *testing.T) {
	t.Parallel()
	ca := tlstest.NewCA(t)
	server, client, pool := ca.Server(t, "127.0.0.1"), ca.Client(t, "client"), ca.Pool()
	// reply names the common name of the call's client certificate.
	reply := func(ctx context.Context) string {
		s := grpcrs.PeerTLS(ctx)
		switch {
		case s == nil:
			return "no TLS"
		case len(s.PeerCertificates) == 0:
			return "no certificate"
		}
		return s.PeerCertificates[0].Subject.CommonName
	}
	tlsServer := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{server},
		ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool})

	cases := []struct {
		name   string
		server credentials.TransportCredentials
		client credentials.TransportCredentials
		want   string
	}{
		{"client certificate", tlsServer,
			credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{client}}), "client"},
		{"TLS without one", tlsServer, credentials.NewTLS(&tls.Config{RootCAs: pool}), "no certificate"},
		{"no TLS", insecure.NewCredentials(), insecure.NewCredentials(), "no TLS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			conn := serveTLS(t, c.server, c.client, testServices([]string{"/Peer"}, reply))
			for _, stream := range []bool{false, true} {
				method := unaryMethod("/Peer")
				if stream {
					method = streamMethod("/Peer")
				}
				got := call(t, t.Context(), conn, stream, method, nil)
				require.Equal(t, "OK", got.Code, got.Message)
				want := c.want
				if stream {
					want += c.want // a server stream replies twice
				}
				assert.Equal(t, want, got.Reply, method)
			}
		})
	}
}

// A certificate-bound token (RFC 8705) passes the interceptors on a call
// whose client presented that certificate, and no other.
func TestCertBoundTokenOverGRPC(t *testing.T) {
	t.Parallel()
	ca := tlstest.NewCA(t)
	server, pool := ca.Server(t, "127.0.0.1"), ca.Pool()
	clientA, clientB := ca.Client(t, "client a"), ca.Client(t, "client b")
	as := oidcrstest.Start(t, oidcrstest.Config{})
	rs, err := core.New(as.Settings(""))
	require.NoError(t, err)
	sum := sha256.Sum256(clientA.Certificate[0])
	token := as.Mint(map[string]any{"cnf": map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}})
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{server},
		ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool})
	services := testServices([]string{"/Bound"}, func(ctx context.Context) string {
		ti, _ := grpcrs.TokenInfo(ctx)
		return ti.Subject
	})
	interceptors := []grpc.ServerOption{grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs)),
		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs))}

	for name, cert := range map[string]*tls.Certificate{"its certificate": &clientA, "another": &clientB, "none": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := &tls.Config{RootCAs: pool}
			if cert != nil {
				cfg.Certificates = []tls.Certificate{*cert}
			}
			conn := serveTLS(t, creds, credentials.NewTLS(cfg), services, interceptors...)
			for _, method := range []string{unaryMethod("/Bound"), streamMethod("/Bound")} {
				got := call(t, t.Context(), conn, method == streamMethod("/Bound"), method, []string{"Bearer " + token})
				if cert == &clientA {
					require.Equal(t, "OK", got.Code, got.Message)
					assert.Contains(t, got.Reply, oidcrstest.DefaultSubject)
					continue
				}
				assert.Equal(t, "Unauthenticated", got.Code, method)
				assert.Contains(t, got.Challenge, `Bearer realm="oidcrs", error="invalid_token"`, method)
			}
		})
	}
}

// serveTLS serves services with opts on a loopback listener with the
// server credentials, and returns a connection to it with the client's.
func serveTLS(t testing.TB, server, client credentials.TransportCredentials, services []*grpc.ServiceDesc, opts ...grpc.ServerOption) *grpc.ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(append(opts, grpc.Creds(server), grpc.ForceServerCodec(jsonCodec{}))...)
	for _, sd := range services {
		srv.RegisterService(sd, nil)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(client),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(jsonCodec{})))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}
