package grpcrs_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/oidcrs/oidcrs/adapters/grpc"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The client certificate of a call over TLS reaches the handler's
// context, for certificate-bound tokens; a call without TLS has none.
func TestPeerTLS(t *testing.T) {
	t.Parallel()
	ca, caKey := tlsCert(t, nil, nil, "test CA", nil)
	server, _ := tlsCert(t, ca, caKey, "server", []net.IP{net.IPv4(127, 0, 0, 1)})
	client, _ := tlsCert(t, ca, caKey, "client", nil)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)
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
	tlsServer := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{*server},
		ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool})

	cases := []struct {
		name   string
		server credentials.TransportCredentials
		client credentials.TransportCredentials
		want   string
	}{
		{"client certificate", tlsServer,
			credentials.NewTLS(&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{*client}}), "client"},
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
	ca, caKey := tlsCert(t, nil, nil, "test CA", nil)
	server, _ := tlsCert(t, ca, caKey, "server", []net.IP{net.IPv4(127, 0, 0, 1)})
	clientA, _ := tlsCert(t, ca, caKey, "client a", nil)
	clientB, _ := tlsCert(t, ca, caKey, "client b", nil)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Leaf)
	as := oidcrstest.Start(t, oidcrstest.Config{})
	rs, err := core.New(as.Settings(""))
	require.NoError(t, err)
	sum := sha256.Sum256(clientA.Certificate[0])
	token := as.Mint(map[string]any{"cnf": map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}})
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{*server},
		ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool})
	services := testServices([]string{"/Bound"}, func(ctx context.Context) string {
		ti, _ := grpcrs.TokenInfo(ctx)
		return ti.Subject
	})
	interceptors := []grpc.ServerOption{grpc.ChainUnaryInterceptor(grpcrs.UnaryServerInterceptor(rs)),
		grpc.ChainStreamInterceptor(grpcrs.StreamServerInterceptor(rs))}

	for name, cert := range map[string]*tls.Certificate{"its certificate": clientA, "another": clientB, "none": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := &tls.Config{RootCAs: pool}
			if cert != nil {
				cfg.Certificates = []tls.Certificate{*cert}
			}
			conn := serveTLS(t, creds, credentials.NewTLS(cfg), services, interceptors...)
			for _, method := range []string{unaryMethod("/Bound"), streamMethod("/Bound")} {
				got := call(t, t.Context(), conn, method == streamMethod("/Bound"), method, []string{"Bearer " + token})
				if cert == clientA {
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

// tlsCert issues a certificate for cn signed by parent (self-signed, a CA,
// when parent is nil), valid for ips.
func tlsCert(t testing.TB, parent *tls.Certificate, parentKey *ecdsa.PrivateKey, cn string, ips []net.IP) (*tls.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, IPAddresses: ips,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		signer, signerKey = parent.Leaf, parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, key
}
