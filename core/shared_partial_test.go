package core_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestSharedCachePartialFailuresKeepTheBreakerClosed: a failure the store
// reports as partial (one Cluster node's keys, while the others answer) is
// observed, but does not count toward the breaker that skips the whole
// store: after three of them in a row, the next lookup still reads the
// store. The clock stands still, so no cooldown ends meanwhile.
func TestSharedCachePartialFailuresKeepTheBreakerClosed(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var mu sync.Mutex
	failed := 0
	observer := core.WithObserver(core.Observer{Call: func(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
		return ctx, func(r core.CallResult) {
			if c.Endpoint == core.EndpointSharedCache && r.Outcome != "ok" {
				mu.Lock()
				failed++
				mu.Unlock()
			}
		}
	}})
	store, clock := newMemStore(), newBTClock()
	clock.Advance(2 * time.Second) // ahead of the tokens' iat, as in btBrokenReplica
	store.partial.Store(true)
	rs := btReplica(t, as, store, nil, core.WithClock(clock.Now), observer)
	for range 3 {
		btAuthNew(t, as, rs)
	}
	require.Equal(t, 3, store.count("Get"))
	btAuthNew(t, as, rs)
	assert.Equal(t, 4, store.count("Get"), "the breaker stayed closed")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 4, failed, "each partial failure is observed")
}

// TestSharedCachePartialFailureEndsTheTrial: after the cooldown, the one
// request that tries the store again meets a partial failure; that
// decides nothing, so the next request tries the store again rather than
// waiting forever for the first one's report.
func TestSharedCachePartialFailureEndsTheTrial(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, store, clock := btBrokenReplica(t, as)
	for range 3 {
		btAuthNew(t, as, rs)
	}
	btAuthNew(t, as, rs)
	require.Equal(t, 3, store.count("Get"), "the breaker is open")

	clock.Advance(btBreakerCooldown)
	store.fail.Store(false)
	store.partial.Store(true)
	btAuthNew(t, as, rs)
	require.Equal(t, 4, store.count("Get"), "one request tries the store")
	btAuthNew(t, as, rs)
	assert.Equal(t, 5, store.count("Get"), "and the next one tries it again")

	store.partial.Store(false)
	for range 2 {
		gets := store.count("Get")
		btAuthNew(t, as, rs)
		assert.Greater(t, store.count("Get"), gets, "a working store closes the breaker")
	}
}
