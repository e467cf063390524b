package core_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestCacheFloodKeepsValidTokens: valid tokens fill a fifth of the cache,
// then four times the cache's size in unique junk tokens come from
// concurrent senders (the ratios of 1,000 valid tokens in a cache of 5,000
// and 20,000 junk tokens, at a quarter of the scale to run in seconds),
// each rejected by the authorization server (a cached rejection). Not one
// valid token may need the authorization server again: rejections are
// kept apart, and never take a valid verdict's place. The clock is frozen,
// so that no entry expires and eviction alone decides.
func TestCacheFloodKeepsValidTokens(t *testing.T) {
	const size, valid, junk, senders = 1250, 250, 5000, 16
	as := oidcrstest.Start(t, oidcrstest.Config{})
	st := as.Settings("")
	st.CacheSize = size
	st.CacheTTL = time.Hour
	st.Timeout = 30 * time.Second // the machine is shared: this test counts, it does not time
	// A fixed clock, a minute ahead: tokens minted during the test are
	// already valid (their nbf is their minting second), and none expires.
	now := time.Now().Add(time.Minute)
	rs, err := core.New(st, core.WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	ctx := context.Background()
	bearer := func(tok string) []string { return []string{"Bearer " + tok} }

	tokens := make([]string, valid)
	for i := range tokens {
		tokens[i] = as.Mint(map[string]any{"sub": "user-" + strconv.Itoa(i)})
		_, err := rs.Authenticate(ctx, bearer(tokens[i]))
		require.NoError(t, err)
	}
	require.EqualValues(t, valid, as.IntrospectionCalls(), "each valid token asked once")

	var accepted atomic.Int64
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			for i := g; i < junk; i += senders {
				if _, err := rs.Authenticate(ctx, bearer("junk-"+strconv.Itoa(i)+"-"+strconv.FormatInt(now.UnixNano(), 36))); err == nil {
					accepted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	require.Zero(t, accepted.Load(), "no junk token is accepted")
	require.EqualValues(t, valid+junk, as.IntrospectionCalls(), "each junk token asked once")

	as.ResetCounts()
	for i, tok := range tokens {
		_, err := rs.Authenticate(ctx, bearer(tok))
		require.NoError(t, err, "valid token %d", i)
	}
	assert.Zero(t, as.IntrospectionCalls(), "valid tokens introspected again after the flood")
}
