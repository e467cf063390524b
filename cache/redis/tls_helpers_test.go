package rediscache_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testPKI is a CA made by the test, with a server certificate for
// 127.0.0.1 and a client certificate, as PEM files in a temporary
// directory.
type testPKI struct {
	caFile, certFile, keyFile string          // the client's files
	server                    tls.Certificate // for 127.0.0.1
	pool                      *x509.CertPool  // the CA alone
	serverLeaf                *x509.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rediscache test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)

	issue := func(serial int64, usage x509.ExtKeyUsage, ip net.IP) (der []byte, key *ecdsa.PrivateKey) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "rediscache test"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
		der, err = x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		require.NoError(t, err)
		return der, key
	}
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)

	srvDER, srvKey := issue(2, x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	p.server = tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}
	p.serverLeaf, err = x509.ParseCertificate(srvDER)
	require.NoError(t, err)

	cliDER, cliKey := issue(3, x509.ExtKeyUsageClientAuth, nil)
	keyDER, err := x509.MarshalPKCS8PrivateKey(cliKey)
	require.NoError(t, err)
	write := func(name, typ string, der []byte) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
		return path
	}
	p.caFile = write("ca.pem", "CERTIFICATE", caDER)
	p.certFile = write("client.pem", "CERTIFICATE", cliDER)
	p.keyFile = write("client-key.pem", "PRIVATE KEY", keyDER)
	return p
}

// tlsProxy listens on loopback with TLS, requiring a client certificate
// from p's CA, and relays each connection to backend (a plain
// redis-server). It returns its address; it stops when the test ends.
func tlsProxy(t *testing.T, p *testPKI, backend string) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{p.server},
		ClientCAs:    p.pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			track(c)
			wg.Go(func() {
				defer c.Close()
				if err := c.(*tls.Conn).Handshake(); err != nil {
					return
				}
				b, err := net.Dial("tcp", backend)
				if err != nil {
					return
				}
				track(b)
				defer b.Close()
				wg.Go(func() { _, _ = io.Copy(b, c); _ = b.Close() })
				_, _ = io.Copy(c, b)
			})
		}
	})
	return ln.Addr().String()
}
