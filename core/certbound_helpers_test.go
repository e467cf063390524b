package core_test

// Helpers of the certificate-binding tests (RFC 8705). Their names start
// with "cb".

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
)

// cbPKI is a test CA and two client certificates it issued.
type cbPKI struct {
	pool *x509.CertPool
	a, b tls.Certificate
}

// cbNewPKI generates a CA and the client certificates a and b.
func cbNewPKI(t testing.TB) *cbPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "oidcrs test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	p := &cbPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.a = cbClientCert(t, ca, caKey, 2, "client a")
	p.b = cbClientCert(t, ca, caKey, 3, "client b")
	return p
}

// cbClientCert issues a client certificate for cn, signed by ca.
func cbClientCert(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, serial int64, cn string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// cbThumb is the RFC 8705 x5t#S256 of c's leaf: base64url (no padding)
// SHA-256 of its DER.
func cbThumb(c tls.Certificate) string {
	sum := sha256.Sum256(c.Certificate[0])
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// cbCnf is the cnf claim of a token bound to certificate c.
func cbCnf(c tls.Certificate) map[string]any {
	return map[string]any{"x5t#S256": cbThumb(c)}
}

// cbServer is an HTTPS server that asks for a client certificate (and
// verifies it against the test CA when one is sent), serving rs's
// middleware in front of a handler that writes the token's subject. Its
// resource server is set after it starts: a DPoP proof's htu needs its URL.
type cbServer struct {
	*httptest.Server
	h atomic.Pointer[http.Handler]
}

func cbServeTLS(t testing.TB, p *cbPKI) *cbServer {
	t.Helper()
	s := &cbServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := s.h.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "not ready", http.StatusServiceUnavailable)
	}))
	s.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: p.pool}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// serve puts rs in front of the subject-writing handler.
func (s *cbServer) serve(rs *core.ResourceServer) {
	h := rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, _ := core.FromContext(r.Context())
		_, _ = io.WriteString(w, ti.Subject)
	}))
	s.h.Store(&h)
}

// client returns a client of s that presents cert (none when nil), on
// connections of its own.
func (s *cbServer) client(t testing.TB, cert *tls.Certificate) *http.Client {
	t.Helper()
	tr := s.Client().Transport.(*http.Transport).Clone()
	if cert != nil {
		tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// cbDo sends GET u with c and the given header fields; it returns the
// status, the challenge and the body.
func cbDo(t testing.TB, c *http.Client, u string, header http.Header) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)
}

// cbBearer is the header of a Bearer request for token.
func cbBearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// cbProof signs a DPoP proof (RFC 9449) of key for GET htu and token.
func cbProof(t testing.TB, key *ecdsa.PrivateKey, htu, token string) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	require.NoError(t, err)
	var jti [12]byte
	_, _ = rand.Read(jti[:])
	ath := sha256.Sum256([]byte(token))
	claims, err := json.Marshal(map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti[:]), "htm": "GET",
		"htu": htu, "iat": time.Now().Unix(), "ath": base64.RawURLEncoding.EncodeToString(ath[:])})
	require.NoError(t, err)
	obj, err := signer.Sign(claims)
	require.NoError(t, err)
	proof, err := obj.CompactSerialize()
	require.NoError(t, err)
	return proof
}

// cbJKT is the RFC 7638 thumbprint of key's public half, a token's cnf.jkt.
func cbJKT(t testing.TB, key *ecdsa.PrivateKey) string {
	t.Helper()
	tp, err := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(tp)
}
