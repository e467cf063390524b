package redistest

import (
	"crypto/tls"
	"errors"
	"testing"
)

// errNoTLS: this redis-server was built without TLS.
var errNoTLS = errors.New("redis-server was built without TLS support")

// TLSFiles are the PEM files a client of a StartTLS server needs.
type TLSFiles struct {
	// CAFile is the certificate of the CA that signed the server's and
	// the client's certificates.
	CAFile string
	// CertFile is the client's certificate, which the server requires.
	CertFile string
	// KeyFile is the client certificate's private key.
	KeyFile string
}

// tlsSetup is a StartTLS server's certificates and the harness's client
// configuration.
type tlsSetup struct {
	serverCert, serverKey string // server's PEM files
	files                 TLSFiles
	client                *tls.Config
}

// serverConf has the server accept TLS only from clients with a
// certificate that the CA signed.
func (ts *tlsSetup) serverConf() []string {
	return []string{
		"tls-cert-file " + quote(ts.serverCert),
		"tls-key-file " + quote(ts.serverKey),
		"tls-ca-cert-file " + quote(ts.files.CAFile),
		"tls-auth-clients yes",
	}
}

// StartTLS runs redis-server that listens over TLS only (tls-port, and
// port 0), with a certificate for 127.0.0.1 and requiring a client
// certificate; the CA and both certificates are made for the test. It
// stops the server when the test ends. Without redis-server on the PATH,
// or when it was built without TLS, it skips the test, or fails it when
// CI is "true".
func StartTLS(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := newServer(t, need(t, "redis-server", "redis-server"), opts...)
	ts, err := writeCerts(s.dir)
	if err != nil {
		t.Fatalf("redistest: certificates: %v", err)
	}
	s.tls = ts
	err = s.launch()
	if errors.Is(err, errNoTLS) {
		skipOrFail(t, "redis-server was built without TLS (BUILD_TLS=yes)")
	}
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	return s
}

// TLSFiles are the files a client needs to reach a StartTLS server; zero
// for a server without TLS.
func (s *Server) TLSFiles() TLSFiles {
	if s.tls == nil {
		return TLSFiles{}
	}
	return s.tls.files
}
