package rediscache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// The fleet tests: ResourceServers standing in as replicas, each with its
// own connection to one real redis-server, in front of one fake
// authorization server whose call counter they read.

const (
	fleetSecret    = "fleet-secret-0123456789-abcdefghijklmnop"
	fleetOldSecret = "fleet-old-secret-0123456789-abcdefghijkl"
	// Distinctive claim values, so that finding them in Redis cannot be
	// chance.
	fleetSubject  = "subject-7f3a9c21e5"
	fleetScope    = "scope-b71c4e9d02"
	fleetClientID = "client-ea5d8f3b61"
)

type fleet struct {
	as    *oidcrstest.Server
	redis *redistest.Server
	rss   []*core.ResourceServer
}

// fleetSettings trusts as, with the shared cache's secrets, and wide
// timeouts. The exact call counts of the fleet tests hold only while no
// healthy Redis call times out (a replica whose call fails asks the
// authorization server alone) and no replica gives up waiting on another's
// lock (OIDC_TIMEOUT): on a busy machine running the race detector, a
// healthy call can take a second or more.
func fleetSettings(as *oidcrstest.Server, secrets ...string) core.Settings {
	st := as.Settings("", fleetScope)
	st.CacheSecrets = secrets
	st.Timeout = 30 * time.Second
	st.CacheTimeout = 10 * time.Second
	return st
}

// replica builds one more ResourceServer on the fleet's Redis, closed when
// the test ends.
func (f *fleet) replica(t *testing.T, st core.Settings) *core.ResourceServer {
	t.Helper()
	store, err := rediscache.Open(f.redis.URL(), st.CacheTimeout)
	require.NoError(t, err)
	rs, err := core.New(st, core.WithSharedCache(store))
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	f.rss = append(f.rss, rs)
	return rs
}

// startFleet starts Redis, the authorization server and n replicas; at the
// end it checks that closing them left no goroutine behind.
func startFleet(t *testing.T, n int) *fleet {
	t.Helper()
	base := runtime.NumGoroutine()
	f := &fleet{redis: redistest.Start(t), as: oidcrstest.Start(t, oidcrstest.Config{})}
	t.Cleanup(func() { checkGoroutines(t, base, f) })
	for range n {
		f.replica(t, fleetSettings(f.as, fleetSecret))
	}
	return f
}

// checkGoroutines closes the replicas and waits, bounded, for the
// goroutine count to come back to what it was before the fleet.
func checkGoroutines(t *testing.T, base int, f *fleet) {
	for _, rs := range f.rss {
		require.NoError(t, rs.Close())
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	deadline := time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > base+2 && time.Now().Before(deadline) { // +2: the test's own, Redis's reaper
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left, %d before the fleet:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}

// mint makes a token with the distinctive claims.
func (f *fleet) mint() string {
	return f.as.Mint(map[string]any{"sub": fleetSubject, "scope": fleetScope, "client_id": fleetClientID})
}

// status authenticates token on rs through its net/http middleware.
func status(rs *core.ResourceServer, token string) int {
	h := rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ti, ok := core.FromContext(r.Context()); !ok || ti.Subject == "" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// calls is the authorization server's introspection count.
func (f *fleet) calls() int64 { return f.as.IntrospectionCalls() }
