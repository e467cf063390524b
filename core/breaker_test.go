package core_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The shared cache's breaker, on an in-memory store and a fake clock: it
// opens after repeated failures, sends requests to the authorization
// server meanwhile (never accepting on its own), lets one request try the
// store after the cooldown, and closes when that try works.

// btBreakerCooldown is a time past the breaker's cooldown (2 s).
const btBreakerCooldown = 3 * time.Second

// btBrokenReplica returns a replica on a store that fails, with the
// breaker on a fake clock.
func btBrokenReplica(t *testing.T, as *oidcrstest.Server) (*core.ResourceServer, *memStore, *btClock) {
	t.Helper()
	store, clock := newMemStore(), newBTClock()
	// The clock stands still unless moved: start it ahead of the tokens the
	// AS mints later on the wall clock, so that none has an iat in its
	// future.
	clock.Advance(2 * time.Second)
	store.fail.Store(true)
	rs := btReplica(t, as, store, nil, core.WithClock(clock.Now))
	return rs, store, clock
}

// btAuthNew authenticates a new token of as's, so that the replica's own
// cache cannot answer, and fails the test unless it is accepted.
func btAuthNew(t *testing.T, as *oidcrstest.Server, rs *core.ResourceServer) {
	t.Helper()
	_, err := btAuth(rs, as.Mint(nil))
	require.NoError(t, err)
}

// TestBreakerOpensAfterFailures: three failed calls open the breaker; the
// store is then left alone and every request goes to the authorization
// server, whose verdict stands: a bad token is still refused.
func TestBreakerOpensAfterFailures(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, store, _ := btBrokenReplica(t, as)
	for range 3 {
		btAuthNew(t, as, rs)
	}
	require.Equal(t, 3, store.count("Get"), "one store call per request while closed")
	for range 5 {
		btAuthNew(t, as, rs)
	}
	assert.Equal(t, 3, store.count("Get"), "open: the store is skipped")
	assert.EqualValues(t, 8, as.IntrospectionCalls(), "every request asked the authorization server")

	_, err := btAuth(rs, "never-minted")
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	as.SetFault(&oidcrstest.FaultServerError)
	_, err = btAuth(rs, as.Mint(nil))
	btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescFetchFailed)
}

// TestBreakerFailsClosed: a broken store never turns a refusal into an
// acceptance, breaker open or not.
func TestBreakerFailsClosed(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, store, _ := btBrokenReplica(t, as)
	for i := range 5 { // closed for the first three, then open
		tok := as.Mint(nil)
		as.Revoke(tok)
		_, err := btAuth(rs, tok)
		btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
		assert.EqualValues(t, i+1, as.IntrospectionCalls())
	}
	assert.Equal(t, 3, store.count("Get"))
}

// TestBreakerHalfOpenThenCloses: after the cooldown one request tries the
// store; when it works, the breaker closes and every request uses the
// store again.
func TestBreakerHalfOpenThenCloses(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, store, clock := btBrokenReplica(t, as)
	for range 4 {
		btAuthNew(t, as, rs)
	}
	require.Equal(t, 3, store.count("Get"))
	store.fail.Store(false)
	clock.Advance(time.Second)
	btAuthNew(t, as, rs)
	require.Equal(t, 3, store.count("Get"), "still open within the cooldown")

	// A miss that wins the lock reads twice: before the lock and after.
	clock.Advance(btBreakerCooldown)
	btAuthNew(t, as, rs)
	require.Equal(t, 5, store.count("Get"), "after the cooldown one request tries the store")
	for i := range 3 {
		btAuthNew(t, as, rs)
		assert.Equal(t, 7+2*i, store.count("Get"), "closed: every miss reads the store")
	}
	store.waitValues(t, 4)
}

// TestBreakerHalfOpenFailureReopens: when the try after the cooldown
// fails, the breaker opens again at once, for another cooldown.
func TestBreakerHalfOpenFailureReopens(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs, store, clock := btBrokenReplica(t, as)
	for range 3 {
		btAuthNew(t, as, rs)
	}
	clock.Advance(btBreakerCooldown)
	btAuthNew(t, as, rs)
	require.Equal(t, 4, store.count("Get"), "the try after the cooldown")
	btAuthNew(t, as, rs)
	assert.Equal(t, 4, store.count("Get"), "one failed try opens the breaker again")

	store.fail.Store(false)
	clock.Advance(btBreakerCooldown)
	btAuthNew(t, as, rs)
	btAuthNew(t, as, rs)
	assert.Equal(t, 8, store.count("Get"), "closed again after a working try (two reads per miss)")
}

// TestBreakerRecoversAfterASlowWrite: a write that a slow introspection
// makes after the breaker opened, once the cooldown has passed, is the
// half-open trial; it reports its outcome, so that a working store is used
// again at once, never skipped for good.
func TestBreakerRecoversAfterASlowWrite(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	store, clock := newMemStore(), newBTClock()
	clock.Advance(2 * time.Second) // ahead of the tokens' iat, see btBrokenReplica
	rs := btReplica(t, as, store, nil, core.WithClock(clock.Now))
	gate := gateAnswers(t, as)
	var wg sync.WaitGroup
	wg.Go(func() { btAuthNew(t, as, rs) }) // slow: it holds the lock and waits for the AS
	require.Eventually(t, func() bool { return as.IntrospectionCalls() == 1 }, 20*time.Second, time.Millisecond)
	store.fail.Store(true)
	for range 3 { // three store failures open the breaker
		wg.Go(func() { btAuthNew(t, as, rs) })
	}
	require.Eventually(t, func() bool { return as.IntrospectionCalls() == 4 }, 20*time.Second, time.Millisecond,
		"the three requests failed on the store and went to the AS")
	clock.Advance(btBreakerCooldown)
	store.fail.Store(false)
	gate.open()
	waitOrFail(t, &wg, "requests")
	store.waitValues(t, 1) // the slow request's write, the half-open trial
	gets := store.count("Get")
	btAuthNew(t, as, rs)
	assert.Greater(t, store.count("Get"), gets, "the breaker closed on the write: the next miss reads the store")
}
