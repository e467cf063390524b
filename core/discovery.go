package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/flight"
	"github.com/oidcrs/oidcrs/internal/httpclient"
	"github.com/oidcrs/oidcrs/internal/wellknown"
)

// discovery reads the authorization server's metadata on first need:
// OpenID Connect discovery (issuer + /.well-known/openid-configuration),
// then RFC 8414 (/.well-known/oauth-authorization-server inserted before
// the issuer's path). A read document is kept for the life of the process;
// while none can be read, callers get 503 and a new read is tried at most
// once per discoveryRetry, so that an API can start before its
// authorization server.
type discovery struct {
	issuer  string
	client  *http.Client
	timeout time.Duration
	logger  *slog.Logger
	mon     *monitor
	now     func() time.Time
	gate    *callGate

	mu      sync.Mutex
	meta    *asMetadata
	lastTry time.Time
	lastErr error
	fetches flight.Group[struct{}, *asMetadata]
}

const discoveryRetry = time.Second

// asMetadata is the part of the metadata oidcrs uses, shared with the
// oidcrs command (internal/wellknown).
type asMetadata = wellknown.Metadata

var errIssuerMismatch = wellknown.ErrIssuerMismatch

// introspectionEndpoint and jwksURI resolve one endpoint; they fit the
// resolvers that asClient and remoteKeySet take.
func (d *discovery) introspectionEndpoint(ctx context.Context) (string, error) {
	return d.endpoint(ctx, "introspection_endpoint", func(m *asMetadata) string { return m.IntrospectionEndpoint })
}

func (d *discovery) jwksURI(ctx context.Context) (string, error) {
	return d.endpoint(ctx, "jwks_uri", func(m *asMetadata) string { return m.JWKSURI })
}

// introspectionAuthMethods returns the metadata's
// introspection_endpoint_auth_methods_supported (nil without one).
func (d *discovery) introspectionAuthMethods(ctx context.Context) ([]string, error) {
	m, err := d.metadata(ctx)
	if err != nil {
		return nil, err
	}
	return m.IntrospectionAuthMethods, nil
}

func (d *discovery) endpoint(ctx context.Context, name string, pick func(*asMetadata) string) (string, error) {
	m, err := d.metadata(ctx)
	if err != nil {
		return "", err
	}
	if v := pick(m); v != "" {
		return v, nil
	}
	return "", newError(ErrUnavailable, descDiscoveryFailed, atEndpoint(EndpointDiscovery, fmt.Errorf("the metadata has no %s", name)))
}

func (d *discovery) metadata(ctx context.Context) (*asMetadata, error) {
	d.mu.Lock()
	m, recent, lastErr := d.meta, d.now().Sub(d.lastTry) < discoveryRetry, d.lastErr
	d.mu.Unlock()
	if m != nil {
		return m, nil
	}
	if recent && lastErr != nil {
		return nil, lastErr
	}
	m, err, _ := d.fetches.Do(ctx, struct{}{}, d.read)
	return m, err
}

// read fetches and checks the metadata as internal/wellknown.Find does for
// the oidcrs command too: OpenID Connect discovery, then RFC 8414, and an
// issuer that is OIDC_OP_URL exactly.
func (d *discovery) read(ctx context.Context) (*asMetadata, error) {
	m, _, err := wellknown.Find(ctx, d.issuer, d.fetch)
	if errors.Is(err, wellknown.ErrIssuerMismatch) {
		err = newError(ErrUnavailable, descDiscoveryFailed, atEndpoint(EndpointDiscovery, errIssuerMismatch))
		d.logger.LogAttrs(ctx, slog.LevelError, "oidcrs: configuration error: the discovered issuer is not OIDC_OP_URL",
			slog.String("OIDC_OP_URL", d.issuer), slog.String("issuer", m.Issuer))
	}
	if notAsked(err) {
		return nil, err // no call was made: the next caller may try
	}
	d.mon.recordHealth(ctx, EndpointDiscovery, err)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastTry = d.now()
	if err != nil {
		d.lastErr = asError(err, ErrUnavailable, descDiscoveryFailed)
		return nil, d.lastErr
	}
	d.meta, d.lastErr = m, nil
	return m, nil
}

// fetch reads one metadata document with the shared GET
// (internal/httpclient.GetJSON), reporting the call to the monitor.
func (d *discovery) fetch(ctx context.Context, u string) (*asMetadata, error) {
	leave, err := d.gate.enter(ctx, EndpointDiscovery, u, d.timeout)
	if err != nil {
		return nil, err
	}
	defer leave()
	ctx, end := d.mon.call(ctx, EndpointDiscovery, u, false)
	resp, err := httpclient.GetJSON(ctx, d.client, d.timeout, u, "application/json")
	var m *asMetadata
	switch {
	case resp.Status != 0 && resp.Status != http.StatusOK:
		err = statusError(resp.Status)
	case err == nil:
		m, err = wellknown.Decode(resp.Body)
	}
	if err != nil {
		e := newError(ErrUnavailable, descDiscoveryFailed, atEndpoint(EndpointDiscovery, err))
		e.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
		err = e
	}
	end(resp.Status, err)
	d.gate.answered(ctx, EndpointDiscovery, u, resp.Status, err)
	return m, err
}

// fixed returns a resolver of an explicit endpoint: explicit settings
// always win over discovered ones.
func fixed(u string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return u, nil }
}
