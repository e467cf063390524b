package tlstest_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/tlstest"
)

// A server certificate verifies for its hosts and a client certificate
// for client authentication, both against the pool of the CA that issued
// them and no other CA's.
func TestCertificatesVerify(t *testing.T) {
	t.Parallel()
	ca, other := tlstest.NewCA(t), tlstest.NewCA(t)
	server := ca.Server(t, "127.0.0.1", "localhost")
	client := ca.Client(t, "alice")

	for _, host := range []string{"127.0.0.1", "localhost"} {
		_, err := server.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: ca.Pool()})
		assert.NoError(t, err, host)
	}
	_, err := server.Leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.2", Roots: ca.Pool()})
	assert.Error(t, err, "a host the certificate does not name")
	_, err = server.Leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: other.Pool()})
	assert.Error(t, err, "another CA")

	clientAuth := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	_, err = client.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: clientAuth})
	require.NoError(t, err)
	_, err = client.Leaf.Verify(x509.VerifyOptions{Roots: other.Pool(), KeyUsages: clientAuth})
	assert.Error(t, err, "another CA")
	_, err = server.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: clientAuth})
	assert.Error(t, err, "a server certificate is not a client's")

	assert.Equal(t, "alice", client.Leaf.Subject.CommonName)
	assert.Equal(t, [][]byte{client.Leaf.Raw}, client.Certificate, "the leaf alone")
	key, ok := client.PrivateKey.(*ecdsa.PrivateKey)
	require.True(t, ok)
	assert.Equal(t, elliptic.P256(), key.Curve)
	assert.WithinDuration(t, time.Now().Add(-time.Hour), client.Leaf.NotBefore, time.Minute)
	assert.WithinDuration(t, time.Now().Add(time.Hour), client.Leaf.NotAfter, time.Minute)
	assert.NotEqual(t, client.Leaf.SerialNumber, ca.Client(t, "alice").Leaf.SerialNumber)
}
