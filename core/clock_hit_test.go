package core_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
)

// TestExpiredWhileCachedOnTheSystemClock: with the system clock (the hit
// path's own clock, not WithClock), a cached token is refused once past
// its exp, though its cache entry would live an hour. It waits for the
// token to expire; it asserts no timing.
func TestExpiredWhileCachedOnTheSystemClock(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			rs := btRS(t, as, func(s *core.Settings) { s.DisableCache, s.CacheTTL, s.Leeway = false, time.Hour, 0 })
			exp := time.Now().Add(time.Second).Unix() + 1 // 1-2 s from now
			tok := as.Mint(map[string]any{"exp": exp})
			_, err := btAuth(rs, tok)
			require.NoError(t, err, "the token is good before its exp")
			_, err = btAuth(rs, tok)
			require.NoError(t, err)
			require.EqualValues(t, 1, as.IntrospectionCalls(), "the second request was a hit")
			for time.Now().Unix() <= exp { // past exp by the wall clock
				time.Sleep(50 * time.Millisecond)
			}
			_, err = btAuth(rs, tok)
			require.ErrorIs(t, err, core.ErrInvalidToken, "a cached token past its exp")
		})
	}
}
