package core_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestHealthAnnouncedAtStart: before New returns, the observer hears once,
// as healthy, of each endpoint the configuration calls, and of no other,
// so that a health gauge reads 1 from start-up; the log records nothing,
// as nothing changed; and the first failure's Since is the start.
func TestHealthAnnouncedAtStart(t *testing.T) {
	t.Parallel()
	intro, jwks, disc, shared := core.EndpointIntrospection, core.EndpointJWKS, core.EndpointDiscovery, core.EndpointSharedCache
	for _, tc := range []struct {
		name   string
		mode   oidcrstest.Mode
		edit   func(*core.Settings)
		shared bool
		want   []core.Endpoint
	}{
		{"JSON introspection, endpoint and method set", oidcrstest.JSON, func(s *core.Settings) { s.ClientAuth = core.ClientSecretPost }, false,
			[]core.Endpoint{intro}},
		{"the method from the metadata", oidcrstest.JSON, nil, false, []core.Endpoint{intro, disc}},
		{"the endpoint from the metadata", oidcrstest.JSON, func(s *core.Settings) {
			s.ClientAuth, s.IntrospectionEndpoint = core.ClientSecretBasic, ""
		}, false, []core.Endpoint{intro, disc}},
		{"RFC 9701 answers are signed", oidcrstest.JWT, func(s *core.Settings) { s.ClientAuth = core.ClientSecretPost }, false,
			[]core.Endpoint{intro, jwks}},
		{"the key set from the metadata", oidcrstest.JWT, func(s *core.Settings) {
			s.ClientAuth, s.JWKSEndpoint = core.ClientSecretPost, ""
		}, false, []core.Endpoint{intro, jwks, disc}},
		{"JWT access tokens only", oidcrstest.JSON, func(s *core.Settings) {
			s.Backend, s.Resource = core.BackendJWTAccessToken, "https://api.example"
		}, false, []core.Endpoint{jwks}},
		{"JWT access tokens, hybrid", oidcrstest.JSON, func(s *core.Settings) {
			s.LocalJWT, s.Resource, s.ClientAuth = true, "https://api.example", core.ClientSecretPost
		}, false, []core.Endpoint{intro, jwks}},
		{"the shared cache", oidcrstest.JSON, nil, true, []core.Endpoint{intro, disc, shared}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, tc.mode)
			var seen healthLog
			logger, sink := btLogger()
			clock := newBTClock()
			opts := []core.Option{seen.observer(), core.WithLogger(logger), core.WithClock(clock.Now)}
			var rs *core.ResourceServer
			if tc.shared { // btReplica's own settings: the method from the metadata
				rs = btReplica(t, as, downStore{errors.New("store down")}, nil, opts...)
			} else {
				rs = btRS(t, as, tc.edit, opts...)
				t.Cleanup(func() { _ = rs.Close() })
			}
			started := clock.Now()

			changes := seen.health()
			var got []core.Endpoint
			for _, c := range changes {
				assert.Equal(t, core.HealthChange{Endpoint: c.Endpoint, Healthy: true, Outcome: "ok", Since: started}, c)
				got = append(got, c.Endpoint)
			}
			assert.Equal(t, tc.want, got, "each endpoint the configuration calls, once")
			assert.Empty(t, sink.String(), "not logged: nothing changed")

			// The first failure of an endpoint reports the start as the
			// beginning of its health.
			clock.Advance(time.Minute)
			if tc.want[0] == intro {
				as.SetFault(&oidcrstest.FaultServerError)
				_, err := btAuth(rs, as.Mint(nil))
				require.ErrorIs(t, err, core.ErrUnavailable)
				after := seen.health()[len(changes):]
				require.NotEmpty(t, after)
				assert.False(t, after[0].Healthy)
				assert.Equal(t, started, after[0].Since)
			}
		})
	}
}

// TestHealthNotAnnouncedWithoutObserverHook: a ResourceServer without an
// observer, or whose observer has no Health, starts and answers.
func TestHealthNotAnnouncedWithoutObserverHook(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	for _, opts := range [][]core.Option{nil, {core.WithObserver(core.Observer{})}} {
		rs := btRS(t, as, nil, opts...)
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		_ = rs.Close()
	}
}
