package core_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func TestDiscovery(t *testing.T) {
	t.Parallel()
	discovered := func(t *testing.T, as *oidcrstest.Server, edit func(*core.Settings), opts ...core.Option) *core.ResourceServer {
		st := as.Settings("")
		st.IntrospectionEndpoint, st.JWKSEndpoint = "", ""
		if edit != nil {
			edit(&st)
		}
		rs, err := core.New(st, opts...)
		require.NoError(t, err)
		return rs
	}
	t.Run("answering", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		rs := discovered(t, as, nil)
		for range 20 {
			_, err := btAuth(rs, as.Mint(nil))
			require.NoError(t, err)
		}
		assert.EqualValues(t, 1, as.DiscoveryCalls(), "read once and kept")
	})
	t.Run("down at start, then up", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		as.SetDiscoveryFault(&oidcrstest.FaultDown)
		rs := discovered(t, as, nil) // starts before its authorization server
		_, err := btAuth(rs, as.Mint(nil))
		btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescDiscoveryFailed)
		as.SetDiscoveryFault(nil)
		require.Eventually(t, func() bool { _, err := btAuth(rs, as.Mint(nil)); return err == nil },
			10*time.Second, 100*time.Millisecond, "discovery is tried again (at most once a second)")
	})
	t.Run("issuer mismatch", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{DiscoveryIssuer: "https://impostor.example"})
		logger, sink := btLogger()
		rs := discovered(t, as, nil, core.WithLogger(logger))
		_, err := btAuth(rs, as.Mint(nil))
		btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescDiscoveryFailed)
		assert.Contains(t, btLevels(sink.records(t)), "ERROR")
		assert.Contains(t, sink.String(), "configuration error")
	})
	t.Run("explicit settings win", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		// With the endpoints and the client authentication method set,
		// discovery never runs.
		rs := btRS(t, as, func(s *core.Settings) { s.ClientAuth = core.ClientSecretPost })
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		assert.Zero(t, as.DiscoveryCalls())
	})
	t.Run("JWT access tokens", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
		st := as.AccessTokenSettings()
		st.JWKSEndpoint = ""
		rs, err := core.New(st)
		require.NoError(t, err)
		_, err = btAuth(rs, as.MintAccessToken(nil, nil))
		require.NoError(t, err)
		assert.EqualValues(t, 1, as.DiscoveryCalls())
	})
	t.Run("RFC 8414 fallback with an issuer path", func(t *testing.T) {
		t.Parallel()
		as := oidcrstest.Start(t, oidcrstest.Config{})
		var issuer string
		meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/.well-known/oauth-authorization-server/tenant" {
				http.NotFound(w, r)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "introspection_endpoint": as.IntrospectionURL()})
		}))
		t.Cleanup(meta.Close)
		issuer = meta.URL + "/tenant"
		rs := discovered(t, as, func(s *core.Settings) { s.Issuer = issuer })
		_, err := btAuth(rs, as.Mint(map[string]any{"iss": issuer}))
		require.NoError(t, err)
	})
}
