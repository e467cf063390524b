package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// maxBody bounds every body read from the authorization server, as core
// does.
const maxBody = 1 << 20

// defaultTimeout is core's default OIDC_TIMEOUT.
const defaultTimeout = 3 * time.Second

// newClient builds the client for check's own GETs (discovery and the AS
// JWKS) as core builds its own from the settings: the same timeout, proxy
// and TLS verification, and no redirects (core follows none).
func newClient(s core.Settings) *http.Client {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	proxy := http.ProxyFromEnvironment
	if s.Proxy != "" {
		if u, err := url.Parse(s.Proxy); err == nil {
			proxy = http.ProxyURL(u)
		}
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:           proxy,
			TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.InsecureSkipVerify}, //nolint:gosec // OIDC_VERIFY_SSL=false, the user's explicit choice
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// get fetches u and returns its 200 body. Its error says what went wrong
// without the URL's query or credentials: a status, a timeout, or the
// transport's failure.
func get(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			if ue.Timeout() {
				return nil, errors.New("no answer before the timeout (OIDC_TIMEOUT)")
			}
			return nil, fmt.Errorf("unreachable: %v", ue.Err)
		}
		return nil, errors.New("unreachable")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %d, not 200", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, errors.New("reading the answer failed")
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("answer over %d bytes", maxBody)
	}
	return b, nil
}
