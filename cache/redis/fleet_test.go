package rediscache_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// One introspection per token across the fleet.

func TestFleetOneTokenInTurn(t *testing.T) {
	f := startFleet(t, 4)
	tok := f.mint()
	for range 10 {
		for _, rs := range f.rss {
			require.Equal(t, http.StatusOK, status(rs, tok))
		}
	}
	assert.EqualValues(t, 1, f.calls(), "1 token, 10 times to each of 4 replicas")
}

func TestFleetConcurrentFreshToken(t *testing.T) {
	f := startFleet(t, 4)
	tok := f.mint()
	var wg sync.WaitGroup
	codes := make([]int, 4*25)
	for i := range codes {
		rs := f.rss[i%4]
		wg.Go(func() { codes[i] = status(rs, tok) })
	}
	wg.Wait()
	for i, c := range codes {
		require.Equal(t, http.StatusOK, c, "request %d", i)
	}
	assert.EqualValues(t, 1, f.calls(), "4 x 25 concurrent requests with one fresh token")
}

func TestFleetTwentyTokens(t *testing.T) {
	f := startFleet(t, 4)
	for range 20 {
		tok := f.mint()
		for _, rs := range f.rss {
			require.Equal(t, http.StatusOK, status(rs, tok))
		}
	}
	assert.EqualValues(t, 20, f.calls(), "20 fresh tokens, each once to each replica")
}

func TestFleetRejectedToken(t *testing.T) {
	f := startFleet(t, 4)
	tok := f.mint()
	f.as.Revoke(tok)
	for range 3 {
		for _, rs := range f.rss {
			require.Equal(t, http.StatusUnauthorized, status(rs, tok))
		}
	}
	assert.EqualValues(t, 1, f.calls(), "a rejection is shared within the negative TTL")
}

// TestFleetScopesDoNotCross: two servers with different OIDC_RS_SCOPES on
// one Redis never read each other's verdicts.
func TestFleetScopesDoNotCross(t *testing.T) {
	f := startFleet(t, 0)
	st := fleetSettings(f.as, fleetSecret)
	st.Scopes = []string{"admin"}
	admin := f.replica(t, st)
	st.Scopes = []string{"groups"}
	groups := f.replica(t, st)
	tok := f.as.Mint(map[string]any{"scope": "admin"})
	require.Equal(t, http.StatusOK, status(admin, tok))
	require.Equal(t, http.StatusForbidden, status(groups, tok))
	assert.EqualValues(t, 2, f.calls(), "the second server asked for itself")
}

// TestFleetSecretRotation: entries written under the old secret are still
// read once a new secret is put first.
func TestFleetSecretRotation(t *testing.T) {
	f := startFleet(t, 0)
	old := f.replica(t, fleetSettings(f.as, fleetOldSecret))
	tok := f.mint()
	require.Equal(t, http.StatusOK, status(old, tok))
	rotated := f.replica(t, fleetSettings(f.as, fleetSecret, fleetOldSecret))
	require.Equal(t, http.StatusOK, status(rotated, tok))
	assert.EqualValues(t, 1, f.calls(), "the new replica read the old secret's entry")
	other := f.replica(t, fleetSettings(f.as, fleetSecret))
	require.Equal(t, http.StatusOK, status(other, tok))
	assert.EqualValues(t, 2, f.calls(), "without the old secret the entry is not read")
}
