package core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
)

// OIDC_RS_CACHE_TTL=0 turns the cache off: every request asks.
func TestDisableCacheAsksEveryTime(t *testing.T) {
	as, rs := startPerf(t, perfSetup{edit: func(s *core.Settings) { s.DisableCache = true }})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	for range 3 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok))
	}
	assert.EqualValues(t, 3, as.IntrospectionCalls())
}

// OIDC_RS_CACHE_NEGATIVE_TTL=0 stops caching rejections while verified
// answers stay cached.
func TestNegativeCacheCanBeTurnedOff(t *testing.T) {
	env := map[string]string{"OIDC_RS_CACHE_NEGATIVE_TTL": "0"}
	s, err := core.SettingsFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	require.NoError(t, err)
	require.True(t, s.DisableNegativeCache)

	as, rs := startPerf(t, perfSetup{edit: func(st *core.Settings) { st.DisableNegativeCache = s.DisableNegativeCache }})
	h := rs.Middleware()(perfOK)
	for range 3 {
		require.Equal(t, http.StatusUnauthorized, perfGet(h, "unknown-token"))
	}
	assert.EqualValues(t, 3, as.IntrospectionCalls(), "every rejection asks the AS again")

	as.ResetCounts()
	tok := as.Mint(nil)
	for range 3 {
		require.Equal(t, http.StatusNoContent, perfGet(h, tok))
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "verified answers are still cached")
}
