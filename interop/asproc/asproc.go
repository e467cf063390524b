// Package asproc starts and stops the test-only OAuth 2.0 authorization
// server in interop/as (node oidc-provider 9.13.3) for interop tests, and
// talks to its token, revocation and test-only endpoints.
//
// The server listens on 127.0.0.1 only, exits when Close kills it, when its
// stdin reaches EOF (the test binary died) or after Config.MaxLifetime.
package asproc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/oidcrs/oidcrs/interop/internal/tail"
)

// ReadyTimeout bounds how long Start waits for the server's READY line:
// wide, as node starts slowly on a busy machine.
const ReadyTimeout = 2 * time.Minute

// clientTimeout bounds each call of the AS's test and token endpoints: it
// only stops a hung test.
const clientTimeout = time.Minute

// DefaultMaxLifetime is used when Config.MaxLifetime is zero.
const DefaultMaxLifetime = 10 * time.Minute

// Config describes the authorization server to start.
type Config struct {
	// Clients is passed through as oidc-provider client metadata
	// (client_id, client_secret, grant_types, response_types,
	// redirect_uris, token_endpoint_auth_method, scope, jwks_uri,
	// introspection_signed_response_alg, ...).
	Clients []map[string]any
	// Scopes are extra scopes the AS supports besides openid and
	// offline_access.
	Scopes []string
	// AccessTokenTTL is the default access token lifetime in seconds
	// (0 means 3600).
	AccessTokenTTL int
	// MaxLifetime makes the process exit by itself after this long
	// (0 means DefaultMaxLifetime).
	MaxLifetime time.Duration
	// SigningKeys lists the JWS algs the AS generates a signing key for,
	// each with kid equal to the alg plus KeyIDSuffix (nil means RS256,
	// PS256 and ES256). The keys are new at every start.
	SigningKeys []string
	// KeyIDSuffix is appended to every signing key's kid (default "":
	// kid = alg). Restarting with another suffix publishes new kids, as a
	// real key rotation does.
	KeyIDSuffix string
	// Port is the TCP port on 127.0.0.1 (0 means any free port). Starting
	// again on the port of a closed AS keeps its issuer URL: an
	// authorization server restarted with new signing keys.
	Port int
	// ResourceServers, when set, turns on RFC 8707 resource indicators:
	// a token requested with resource=<key> (see ClientCredentialsFor) is
	// an RFC 9068 JWT access token (typ at+jwt) with aud=<key>. Other
	// resources are refused. Nil means every token is opaque.
	ResourceServers map[string]ResourceServer
}

// ResourceServer describes the JWT access tokens issued for one resource
// indicator (an absolute URI).
type ResourceServer struct {
	// Scope lists, space-separated, the scopes the resource accepts; a
	// token carries the requested scopes that are in it.
	Scope string `json:"scope"`
	// Alg is the JWS alg the tokens are signed with; it must be one of
	// Config.SigningKeys.
	Alg string `json:"alg"`
	// TTL is the token lifetime in seconds (0 means Config.AccessTokenTTL).
	TTL int `json:"ttl,omitempty"`
}

// fileConfig is the JSON document read by as/server.js.
type fileConfig struct {
	Port               int                       `json:"port,omitempty"`
	Clients            []map[string]any          `json:"clients"`
	Scopes             []string                  `json:"scopes,omitempty"`
	SigningKeys        []string                  `json:"signingKeys,omitempty"`
	KIDSuffix          string                    `json:"kidSuffix,omitempty"`
	ResourceServers    map[string]ResourceServer `json:"resourceServers,omitempty"`
	AccessTokenTTL     int                       `json:"accessTokenTTL,omitempty"`
	MaxLifetimeSeconds int                       `json:"maxLifetimeSeconds"`
}

// AS is a running authorization server process.
type AS struct {
	// URL is the issuer, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string

	cmd       *exec.Cmd
	stdin     io.Closer
	logs      *tail.Buffer
	done      chan struct{}
	discovery map[string]any
	client    *http.Client
	closeOnce sync.Once
	closeErr  error
}

// Start runs `node server.js <config>` in the as/ directory, waits for the
// READY line and the discovery document, and returns the running server.
// ctx bounds the startup only; the process lives until Close.
func Start(ctx context.Context, cfg Config) (*AS, error) {
	if err := NodeAvailable(); err != nil {
		return nil, err
	}
	node, _ := exec.LookPath("node")
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	cfgPath, err := writeConfig(cfg)
	if err != nil {
		return nil, err
	}
	defer os.Remove(cfgPath) // read by node before it prints READY

	a := &AS{
		logs:   tail.New(64 << 10),
		done:   make(chan struct{}),
		client: &http.Client{Timeout: clientTimeout},
	}
	ready := &readyWriter{ch: make(chan string, 1), rest: a.logs}
	cmd := exec.Command(node, "server.js", cfgPath)
	cmd.Dir = dir
	cmd.Stdout = ready
	cmd.Stderr = a.logs
	setProcessGroup(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("asproc: stdin pipe: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("asproc: starting node: %w", err)
	}
	a.cmd, a.stdin = cmd, stdin
	go func() {
		_ = cmd.Wait()
		close(a.done)
	}()

	ctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	select {
	case line := <-ready.ch:
		issuer, ok := strings.CutPrefix(line, "READY ")
		if !ok {
			_ = a.Close()
			return nil, fmt.Errorf("asproc: unexpected first line %q; stderr:\n%s", line, a.Logs())
		}
		a.URL = issuer
	case <-a.done:
		return nil, fmt.Errorf("asproc: server exited before READY (%v); stderr:\n%s", cmd.ProcessState, a.Logs())
	case <-ctx.Done():
		_ = a.Close()
		return nil, fmt.Errorf("asproc: waiting for READY: %w; stderr:\n%s", ctx.Err(), a.Logs())
	}
	if err := a.getJSON(ctx, "/.well-known/openid-configuration", &a.discovery); err != nil {
		_ = a.Close()
		return nil, fmt.Errorf("asproc: discovery: %w; stderr:\n%s", err, a.Logs())
	}
	return a, nil
}

func writeConfig(cfg Config) (string, error) {
	life := cfg.MaxLifetime
	if life <= 0 {
		life = DefaultMaxLifetime
	}
	fc := fileConfig{
		Port:               cfg.Port,
		Clients:            cfg.Clients,
		Scopes:             cfg.Scopes,
		SigningKeys:        cfg.SigningKeys,
		KIDSuffix:          cfg.KeyIDSuffix,
		ResourceServers:    cfg.ResourceServers,
		AccessTokenTTL:     cfg.AccessTokenTTL,
		MaxLifetimeSeconds: int((life + time.Second - 1) / time.Second),
	}
	if fc.Clients == nil {
		fc.Clients = []map[string]any{}
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return "", fmt.Errorf("asproc: encoding config: %w", err)
	}
	f, err := os.CreateTemp("", "oidcrs-as-*.json") // mode 0600: holds secrets
	if err != nil {
		return "", fmt.Errorf("asproc: writing config: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("asproc: writing config: %w", err)
	}
	return f.Name(), nil
}

// Close kills the server process (and its process group) and waits for it.
// It is safe to call more than once.
func (a *AS) Close() error {
	a.closeOnce.Do(func() {
		_ = a.stdin.Close()
		select {
		case <-a.done: // already exited (stdin EOF, lifetime or crash)
		default:
			killProcessGroup(a.cmd)
		}
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
			a.closeErr = errors.New("asproc: server did not exit after kill")
		}
	})
	return a.closeErr
}

// Done is closed once the server process has exited.
func (a *AS) Done() <-chan struct{} { return a.done }

// Logs returns the tail of the server's stderr (and any stray stdout). The
// server never writes token values or secrets there.
func (a *AS) Logs() string { return a.logs.String() }

// Discovery returns a copy of the /.well-known/openid-configuration
// document fetched at startup.
func (a *AS) Discovery() map[string]any {
	m := make(map[string]any, len(a.discovery))
	for k, v := range a.discovery {
		m[k] = v
	}
	return m
}

func (a *AS) endpoint(name string) string {
	s, _ := a.discovery[name].(string)
	return s
}

// TokenURL is the token_endpoint from discovery.
func (a *AS) TokenURL() string { return a.endpoint("token_endpoint") }

// IntrospectionURL is the introspection_endpoint from discovery.
func (a *AS) IntrospectionURL() string { return a.endpoint("introspection_endpoint") }

// RevocationURL is the revocation_endpoint from discovery.
func (a *AS) RevocationURL() string { return a.endpoint("revocation_endpoint") }

// JWKSURL is the jwks_uri from discovery (the AS's public signing keys).
func (a *AS) JWKSURL() string { return a.endpoint("jwks_uri") }

// readyWriter hands the first stdout line to ch and everything else to rest.
type readyWriter struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	ch   chan string
	rest io.Writer
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return w.rest.Write(p)
	}
	w.buf = append(w.buf, p...)
	if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
		w.sent = true
		w.ch <- strings.TrimSpace(string(w.buf[:i]))
		if _, err := w.rest.Write(w.buf[i+1:]); err != nil {
			return 0, err
		}
		w.buf = nil
	}
	return len(p), nil
}
