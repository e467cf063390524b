package app

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	for _, name := range []string{"OIDC_RS_BACKEND_CLASS", "OIDC_RS_CLIENT_ID", "OIDC_RS_CLIENT_SECRET", "OIDC_OP_INTROSPECTION_ENDPOINT", "OIDC_RS_SCOPES"} {
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
