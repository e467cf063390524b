package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestDialable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"0.0.0.0:8080", "127.0.0.1:8080"},
		{"[::]:8080", "127.0.0.1:8080"},
		{"[::1]:8080", "[::1]:8080"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			addr, err := net.ResolveTCPAddr("tcp", tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, dialable(addr))
		})
	}
}

func TestNewRefusesIncompleteSettings(t *testing.T) {
	_, err := New(lookup(map[string]string{"ADDR": "127.0.0.1:0", "OIDC_OP_URL": "http://127.0.0.1:1"}), &bytes.Buffer{})
	require.Error(t, err)
	// OIDC_OP_INTROSPECTION_ENDPOINT is not required: core discovers it
	// from OIDC_OP_URL.
	for _, name := range []string{"OIDC_RS_BACKEND_CLASS", "OIDC_RS_CLIENT_ID", "OIDC_RS_CLIENT_SECRET", "OIDC_RS_SCOPES"} {
		assert.Contains(t, err.Error(), name)
	}
}

func TestServeStopsWithTheContext(t *testing.T) {
	var out bytes.Buffer
	a, err := New(lookup(map[string]string{"ADDR": "127.0.0.1:0"}), &out)
	require.NoError(t, err)
	defer a.Close()
	require.NotNil(t, a.dev, "no OIDC_OP_URL: a development server")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, a.Serve(ctx, http.NotFoundHandler()))
	assert.Contains(t, out.String(), "curl -i -H 'Authorization: Bearer ")
	assert.Contains(t, out.String(), "Stopped")
}

// TestServeRunsAnotherServer checks what the gRPC example relies on: a
// server given to Also runs beside the HTTP one, is stopped before
// "Stopped", and stops Serve when it fails; Usage replaces the curl
// commands.
func TestServeRunsAnotherServer(t *testing.T) {
	var out bytes.Buffer
	a, err := New(lookup(map[string]string{"ADDR": "127.0.0.1:0"}), &out)
	require.NoError(t, err)
	defer a.Close()
	a.Usage = func(w io.Writer, tokens [2]string) { fmt.Fprintf(w, "  call with %d tokens\n", len(tokens)) }
	stop := make(chan struct{})
	a.Also(func() error { <-stop; return nil }, func() { close(stop) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, a.Serve(ctx, http.NotFoundHandler()))
	assert.Contains(t, out.String(), "  call with 2 tokens\n")
	assert.NotContains(t, out.String(), "curl")
	assert.True(t, strings.HasSuffix(out.String(), "Shutting down\nStopped\n"), out.String())

	b, err := New(lookup(map[string]string{"ADDR": "127.0.0.1:0", "OIDC_OP_URL": ""}), &bytes.Buffer{})
	require.NoError(t, err)
	defer b.Close()
	b.Also(func() error { return errors.New("listener gone") }, func() {})
	require.ErrorContains(t, b.Serve(context.Background(), http.NotFoundHandler()), "listener gone")
}

// TestResourcePath checks what the MCP example relies on: OIDC_RS_RESOURCE
// defaults to the listener's URL plus the path, the development tokens
// carry it as aud and DevScopes as scope, and an explicit
// OIDC_RS_RESOURCE wins.
func TestResourcePath(t *testing.T) {
	a, err := NewWith(lookup(map[string]string{"ADDR": "127.0.0.1:0"}), &bytes.Buffer{},
		Config{Log: io.Discard, ResourcePath: "/mcp", DevScopes: [2]string{"groups mcp", "groups"}})
	require.NoError(t, err)
	defer a.Close()
	assert.Equal(t, a.URL()+"/mcp", a.RS.Settings().Resource)
	mux := http.NewServeMux()
	mux.Handle("GET /jwks", a.RS.JWKSHandler()) // the development server fetches it
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- a.Serve(ctx, mux) }()
	defer func() { cancel(); require.NoError(t, <-done) }()
	for i, scopes := range []string{"groups mcp", "groups"} {
		actx, err := a.RS.Authenticate(context.Background(), []string{"Bearer " + a.tokens[i]})
		require.NoError(t, err)
		ti, _ := core.FromContext(actx)
		assert.Equal(t, strings.Fields(scopes), ti.Scopes)
	}

	as := oidcrstest.Start(t, oidcrstest.Config{})
	env := map[string]string{"ADDR": "127.0.0.1:0", "OIDC_OP_URL": as.URL, "OIDC_RS_BACKEND_CLASS": "json",
		"OIDC_RS_CLIENT_ID": "rs", "OIDC_RS_CLIENT_SECRET": "secret", "OIDC_RS_SCOPES": "groups"}
	b, err := NewWith(lookup(env), &bytes.Buffer{}, Config{Log: io.Discard, ResourcePath: "/mcp"})
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, b.URL()+"/mcp", b.RS.Settings().Resource)
	env["OIDC_RS_RESOURCE"] = "https://mcp.example/mcp"
	c, err := NewWith(lookup(env), &bytes.Buffer{}, Config{Log: io.Discard, ResourcePath: "/mcp"})
	require.NoError(t, err)
	defer c.Close()
	assert.Equal(t, "https://mcp.example/mcp", c.RS.Settings().Resource)
}
