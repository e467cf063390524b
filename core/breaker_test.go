package core_test

import (
	"net/http"
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

	clock.Advance(btBreakerCooldown)
	btAuthNew(t, as, rs)
	require.Equal(t, 4, store.count("Get"), "after the cooldown one request tries the store")
	for i := range 3 {
		btAuthNew(t, as, rs)
		assert.Equal(t, 5+i, store.count("Get"), "closed: every miss reads the store")
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
	assert.Equal(t, 6, store.count("Get"), "closed again after a working try")
}
