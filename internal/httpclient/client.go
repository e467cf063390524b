package httpclient

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"
)

// DefaultTimeout bounds a call when Config.Timeout is zero (OIDC_TIMEOUT's
// default).
const DefaultTimeout = 3 * time.Second

// maxIdleConnsPerHost keeps enough warm connections to the authorization
// server for a busy resource server; Go's default of 2 serialises it.
const maxIdleConnsPerHost = 64

// Config is what the client is built from: the settings OIDC_TIMEOUT,
// OIDC_PROXY and OIDC_VERIFY_SSL.
type Config struct {
	// Timeout bounds each call, its dial, TLS handshake and wait for the
	// headers. Default value: DefaultTimeout.
	Timeout time.Duration
	// Proxy is the proxy URL. Default value: the environment's
	// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
	Proxy string
	// InsecureSkipVerify turns TLS certificate verification off.
	// Default value: false, verified.
	InsecureSkipVerify bool
}

// ErrProxy is the error of a Proxy that is not a URL.
var ErrProxy = errors.New("OIDC_PROXY: invalid URL")

// New builds the client: keep-alive, bounded, no redirects.
func New(c Config) (*http.Client, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	proxy := http.ProxyFromEnvironment
	if c.Proxy != "" {
		u, err := url.Parse(c.Proxy)
		if err != nil {
			return nil, ErrProxy
		}
		proxy = http.ProxyURL(u)
	}
	tr := &http.Transport{
		Proxy:                 proxy,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxIdleConnsPerHost * 2,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify}, //nolint:gosec // OIDC_VERIFY_SSL=false, the user's explicit choice
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, nil
}
