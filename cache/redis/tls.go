package rediscache

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// tlsConfig completes base, the TLS configuration go-redis's parser made
// for a rediss:// URL, with c's files: the certificate authorities the
// server's certificate must chain to (only for this client: the process's
// trust store and SSL_CERT_FILE are left alone) and the client
// certificate. base is nil for a URL without TLS, which is an error when
// any file is given: nothing is half configured.
func tlsConfig(base *tls.Config, c Config) (*tls.Config, error) {
	files := c.TLSCAFile != "" || c.TLSCertFile != "" || c.TLSKeyFile != ""
	if base == nil {
		if files {
			return nil, errors.New("rediscache: TLS files are set but the Redis URL does not use TLS: use rediss://")
		}
		return nil, nil
	}
	conf := base.Clone()
	if conf.MinVersion < tls.VersionTLS12 {
		conf.MinVersion = tls.VersionTLS12
	}
	if c.TLSCAFile != "" {
		pem, err := os.ReadFile(c.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("rediscache: TLS CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("rediscache: TLS CA file %s holds no PEM certificate", c.TLSCAFile)
		}
		conf.RootCAs = pool
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		return nil, errors.New("rediscache: TLS client certificate: give both the certificate file and the key file, or neither")
	}
	if c.TLSCertFile != "" {
		// LoadX509KeyPair's errors name the problem and the file, never
		// the key's bytes.
		cert, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("rediscache: TLS client certificate (%s, %s): %w", c.TLSCertFile, c.TLSKeyFile, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}
