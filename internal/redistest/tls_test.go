package redistest

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartTLS(t *testing.T) {
	s := StartTLS(t)
	assert.Equal(t, "rediss://"+s.Addr()+"/0", s.URL())
	files := s.TLSFiles()

	caPEM, err := os.ReadFile(files.CAFile)
	require.NoError(t, err)
	roots := x509.NewCertPool()
	require.True(t, roots.AppendCertsFromPEM(caPEM))
	pair, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
	require.NoError(t, err)

	ping := func(tc *tls.Config) error {
		c, err := dial(s.Addr(), tc, "", "")
		if err != nil {
			return err
		}
		defer c.close()
		v, err := text(c.do("PING"))
		if err == nil && v != "PONG" {
			t.Fatalf("PING answered %q", v)
		}
		return err
	}

	t.Run("client certificate", func(t *testing.T) {
		require.NoError(t, ping(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}, ServerName: "127.0.0.1"}))
	})
	t.Run("no client certificate", func(t *testing.T) {
		require.Error(t, ping(&tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}))
	})
	t.Run("certificate from another CA", func(t *testing.T) {
		other, err := writeCerts(t.TempDir())
		require.NoError(t, err)
		tc := other.client.Clone()
		tc.RootCAs = roots
		require.Error(t, ping(tc))
	})
	t.Run("plain TCP", func(t *testing.T) {
		require.Error(t, plainPing(s.Addr()))
	})
	t.Run("key files are private", func(t *testing.T) {
		fi, err := os.Stat(files.KeyFile)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	})
}

func TestStartTLSWithUser(t *testing.T) {
	s := StartTLS(t, WithUser(ACLUser{Name: "oidcrs", Rules: []string{"+ping"}}))
	require.True(t, strings.HasPrefix(s.URL(), "rediss://oidcrs:"), "URL carries the user")
	c, err := dial(s.Addr(), s.tls.client, "", "")
	require.NoError(t, err)
	defer c.close()
	_, err = c.do("PING")
	require.ErrorContains(t, err, "NOAUTH")
}
