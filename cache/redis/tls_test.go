package rediscache_test

import (
	"context"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// openConfig returns a Store from OpenConfig, closed when the test ends.
func openConfig(t *testing.T, c rediscache.Config) *rediscache.Store {
	t.Helper()
	store, err := rediscache.OpenConfig(bounded(t), c)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, store.Close()) })
	return store
}

func TestTLSWithPrivateCAAndClientCertificate(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	srv := redistest.Start(t)
	addr := tlsProxy(t, pki, srv.Addr())
	store := openConfig(t, rediscache.Config{
		URL: "rediss://" + addr + "/0", Timeout: storeTimeout,
		TLSCAFile: pki.caFile, TLSCertFile: pki.certFile, TLSKeyFile: pki.keyFile,
	})
	o := rediscache.ClientOptions(store)
	require.NotNil(t, o.TLSConfig.RootCAs)
	require.Len(t, o.TLSConfig.Certificates, 1)

	require.NoError(t, store.Set(bounded(t), "k", []byte("v"), time.Minute))
	got, err := store.Get(bounded(t), "k")
	require.NoError(t, err)
	assert.Equal(t, []byte("v"), got[0])
	assert.Equal(t, "v", redisClient(t, srv).Get(bounded(t), "k").Val(), "through the TLS relay")

	// The CA is this client's only: the process's roots do not trust it.
	_, err = pki.serverLeaf.Verify(x509.VerifyOptions{})
	assert.Error(t, err, "the system's trust store was changed")
}

func TestTLSFailuresAreClassTLS(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	srv := redistest.Start(t)
	addr := tlsProxy(t, pki, srv.Addr())
	for name, c := range map[string]rediscache.Config{
		"unknown CA":            {URL: "rediss://" + addr + "/0", TLSCertFile: pki.certFile, TLSKeyFile: pki.keyFile},
		"no client certificate": {URL: "rediss://" + addr + "/0", TLSCAFile: pki.caFile},
		"another host name": {URL: "rediss://localhost:" + port(t, addr) + "/0", TLSCAFile: pki.caFile,
			TLSCertFile: pki.certFile, TLSKeyFile: pki.keyFile},
	} {
		t.Run(name, func(t *testing.T) {
			c.Timeout = storeTimeout
			store := openConfig(t, c)
			_, err := store.Get(bounded(t), "k")
			require.Error(t, err)
			class, partial := causeOf(t, err)
			assert.Equal(t, "tls", class, "%v", err)
			assert.False(t, partial)
		})
	}
}

// port is the port of a host:port.
func port(t *testing.T, addr string) string {
	_, p, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return p
}

func TestTLSFilesRefused(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("not a certificate"), 0o600))
	missing := filepath.Join(dir, "missing.pem")
	for name, c := range map[string]rediscache.Config{
		"files without TLS":    {URL: "redis://127.0.0.1:6379/0", TLSCAFile: pki.caFile},
		"client cert, unix":    {URL: "unix:///run/redis.sock", TLSCertFile: pki.certFile, TLSKeyFile: pki.keyFile},
		"Cluster without TLS":  {URL: "redis://127.0.0.1:7000?addr=127.0.0.1:7001", TLSCAFile: pki.caFile},
		"Sentinel without TLS": {URL: "redis://127.0.0.1:26379?master_name=m", TLSCAFile: pki.caFile},
		"CA not PEM":           {URL: "rediss://127.0.0.1:6379/0", TLSCAFile: notPEM},
		"CA missing":           {URL: "rediss://127.0.0.1:6379/0", TLSCAFile: missing},
		"cert without key":     {URL: "rediss://127.0.0.1:6379/0", TLSCertFile: pki.certFile},
		"key without cert":     {URL: "rediss://127.0.0.1:6379/0", TLSKeyFile: pki.keyFile},
		"key not a key":        {URL: "rediss://127.0.0.1:6379/0", TLSCertFile: pki.certFile, TLSKeyFile: pki.caFile},
		"key missing":          {URL: "rediss://127.0.0.1:6379/0", TLSCertFile: pki.certFile, TLSKeyFile: missing},
		"key of another cert":  {URL: "rediss://127.0.0.1:6379/0", TLSCertFile: pki.caFile, TLSKeyFile: pki.keyFile},
	} {
		t.Run(name, func(t *testing.T) {
			store, err := rediscache.OpenConfig(context.Background(), c)
			require.Error(t, err)
			assert.Nil(t, store)
			assert.Contains(t, err.Error(), "rediscache: ")
			assert.Contains(t, err.Error(), "TLS")
			key, rerr := os.ReadFile(pki.keyFile)
			require.NoError(t, rerr)
			assert.NotContains(t, err.Error(), string(key[40:80]), "no key material in errors")
		})
	}
}

func TestTLSFilesReachEveryKind(t *testing.T) {
	t.Parallel()
	pki := newTestPKI(t)
	files := rediscache.Config{TLSCAFile: pki.caFile, TLSCertFile: pki.certFile, TLSKeyFile: pki.keyFile}

	files.URL = "rediss://127.0.0.1:7000?addr=127.0.0.1:7001"
	store := openConfig(t, files)
	o := rediscache.ClusterOptions(store)
	require.NotNil(t, o.TLSConfig.RootCAs)
	assert.Len(t, o.TLSConfig.Certificates, 1)

	files.URL = "rediss://127.0.0.1:26379?master_name=m"
	store = openConfig(t, files)
	so := rediscache.ClientOptions(store)
	require.NotNil(t, so.TLSConfig.RootCAs, "the master's and the sentinels' TLS")
	assert.Len(t, so.TLSConfig.Certificates, 1)
}
