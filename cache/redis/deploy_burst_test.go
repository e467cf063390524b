package rediscache_test

import (
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

// One introspection per token, even when every replica gets the token
// at once: bursts of 25 concurrent requests to each of 4 replicas, each
// burst with a fresh token. The replicas' store calls never time out here
// (OIDC_RS_CACHE_TIMEOUT 10 s, OIDC_TIMEOUT 30 s), so a burst that costs
// two introspections is a race in the lock, never a slow machine.

// burstsEnv, when set, is how many bursts each burst test runs, instead
// of its small default: OIDCRS_DEPLOY_BURSTS=1000 gives the measured
// figure.
const burstsEnv = "OIDCRS_DEPLOY_BURSTS"

// burstCount is the number of bursts: burstsEnv's when set, else def.
func burstCount(t *testing.T, def int) int {
	t.Helper()
	v := os.Getenv(burstsEnv)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, burstsEnv)
	require.Positive(t, n, burstsEnv)
	return n
}

// bursts sends n fresh tokens in turn, each to every replica 25 times at
// once, checks every answer, and returns how many tokens cost more than
// one introspection.
func (d *deployment) bursts(t *testing.T, n int) (doubles int) {
	t.Helper()
	for range n {
		token := d.mint()
		before := d.calls()
		var wg sync.WaitGroup
		for i := range 25 * len(d.rss) {
			rs := d.rss[i%len(d.rss)]
			wg.Go(func() { d.check(t, rs, token, http.StatusOK) })
		}
		wg.Wait()
		if d.calls()-before > 1 {
			doubles++
		}
	}
	return doubles
}

func TestDeployBursts(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	d := startDeployment(t, srv.URL(), 4, nil)
	n := burstCount(t, 30)
	doubles := d.bursts(t, n)
	t.Logf("one server: %d of %d bursts of 4 x 25 requests cost more than one introspection", doubles, n)
	assert.Zero(t, doubles)
	assert.Zero(t, d.wrong.Load())
}
