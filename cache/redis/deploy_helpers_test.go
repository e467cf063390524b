package rediscache_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The deployment tests: replicas as an operator runs them, each a
// ResourceServer whose store OpenConfig opened from the resource
// server's own settings (OIDC_RS_CACHE_URL, OIDC_RS_CACHE_TLS_*), on a
// real Cluster, Sentinel, TLS or ACL deployment, in front of one fake
// authorization server whose call counter they read. Every answer is
// checked; a wrong one is counted, never retried.

// sharingLimit bounds the wait for sharing to come back after a kill: the
// targets are 10 s, and the figures measured go to the test log.
const sharingLimit = 60 * time.Second

// deployment is one fleet of replicas on one deployment's URL.
type deployment struct {
	as    *oidcrstest.Server
	st    core.Settings // every replica's
	logs  *logSink      // every replica's and store's records, as text
	rss   []*core.ResourceServer
	spies []*keySpy
	wrong atomic.Int64 // answers other than the one expected
}

// newDeployment prepares replicas of the resource server on rawURL, with
// wide timeouts (see fleetSettings); edit, when not nil, changes their
// settings, e.g. the TLS files. It starts no replica: see add.
func newDeployment(t *testing.T, rawURL string, edit func(*core.Settings)) *deployment {
	t.Helper()
	d := &deployment{as: oidcrstest.Start(t, oidcrstest.Config{}), logs: &logSink{}}
	d.st = fleetSettings(d.as, fleetSecret)
	d.st.CacheURL = rawURL
	if edit != nil {
		edit(&d.st)
	}
	return d
}

// startDeployment is newDeployment with n replicas added.
func startDeployment(t *testing.T, rawURL string, n int, edit func(*core.Settings)) *deployment {
	t.Helper()
	d := newDeployment(t, rawURL, edit)
	for range n {
		d.add(t)
	}
	return d
}

// add starts one more replica, as a program would: OpenConfig on
// ConfigFrom of its settings, then core.New; closed when the test ends.
func (d *deployment) add(t *testing.T) *core.ResourceServer {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(d.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	store, err := rediscache.OpenConfig(ctx, rediscache.ConfigFrom(d.st, logger))
	require.NoError(t, err)
	spy := &keySpy{Store: store}
	rs, err := core.New(d.st, core.WithSharedCache(spy), core.WithLogger(logger))
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	d.rss = append(d.rss, rs)
	d.spies = append(d.spies, spy)
	return rs
}

// mint makes a token with the distinctive claims.
func (d *deployment) mint() string {
	return d.as.Mint(map[string]any{"sub": fleetSubject, "scope": fleetScope, "client_id": fleetClientID})
}

// calls is the authorization server's introspection count.
func (d *deployment) calls() int64 { return d.as.IntrospectionCalls() }

// check sends token to rs and counts a status other than want as wrong.
func (d *deployment) check(t *testing.T, rs *core.ResourceServer, token string, want int) {
	t.Helper()
	if got := status(rs, token); got != want {
		d.wrong.Add(1)
		t.Errorf("status %d, want %d", got, want)
	}
}

// share sends a fresh token to every replica in turn and returns it,
// with the introspections it cost and the store key replica 0 read for
// it. Each replica answers before the next asks, so one introspection
// means that the others found the verdict in the store.
func (d *deployment) share(t *testing.T) (token, key string, cost int64) {
	t.Helper()
	token = d.mint()
	before := d.calls()
	d.spies[0].forget()
	d.check(t, d.rss[0], token, http.StatusOK)
	key = d.spies[0].lastKey()
	for _, rs := range d.rss[1:] {
		d.check(t, rs, token, http.StatusOK)
	}
	return token, key, d.calls() - before
}

// shareN shares n fresh tokens and fails the test unless each cost
// exactly one introspection.
func (d *deployment) shareN(t *testing.T, n int) {
	t.Helper()
	before := d.calls()
	for range n {
		d.share(t)
	}
	require.EqualValues(t, n, d.calls()-before, "%d fresh tokens, each once to each of %d replicas", n, len(d.rss))
}

// shareSteady waits, bounded by sharingLimit, until n fresh tokens in a
// row each cost exactly one introspection, after a failover: every
// replica's client finds the new topology on its own schedule (a Cluster
// client reloads its slot map every 2 s, from whichever node it asks), so
// the tokens sent meanwhile may cost more, and are only logged. It fails
// the test if sharing never steadies.
func (d *deployment) shareSteady(t *testing.T, n int) {
	t.Helper()
	start := time.Now()
	sent, run := 0, 0
	for run < n {
		_, _, cost := d.share(t)
		sent++
		run++
		if cost != 1 {
			run = 0
		}
		require.Less(t, time.Since(start), sharingLimit, "sharing did not steady: %d fresh tokens sent, the last %d each cost one introspection", sent, run)
	}
	t.Logf("after the failover: %d fresh tokens in a row each cost one introspection, %d tokens sent (%v)", n, sent, time.Since(start).Round(time.Millisecond))
}

// refuse sends a fresh revoked token to every replica, which must
// refuse it, as a check of the answers while the store fails.
func (d *deployment) refuse(t *testing.T) {
	t.Helper()
	token := d.mint()
	d.as.Revoke(token)
	for _, rs := range d.rss {
		d.check(t, rs, token, http.StatusUnauthorized)
	}
}

// waitSharing waits, bounded by sharingLimit from since, until a fresh
// token for which ok(key) holds costs exactly one introspection across
// the fleet (tokens for which it does not are sent too, and skipped), and
// returns the time from since. Each round also checks a revoked token,
// and calls each, when not nil, after each token, for the test to watch
// the deployment.
func (d *deployment) waitSharing(t *testing.T, since time.Time, ok func(key string) bool, each func()) time.Duration {
	t.Helper()
	for {
		_, key, cost := d.share(t)
		if each != nil {
			each()
		}
		if ok(key) && cost == 1 {
			return time.Since(since)
		}
		d.refuse(t)
		require.Less(t, time.Since(since), sharingLimit, "sharing did not come back")
		time.Sleep(20 * time.Millisecond)
	}
}

// forget revokes token, which every replica has cached, and has replica
// 0 Forget it. Forget either returns an error, or reaches every replica:
// each other one asks the authorization server at its next request for
// the token, and refuses it (waited for, bounded: the invalidation is
// asynchronous). It returns how long after Forget returned the last
// replica refused the token (0 with an error), and Forget's error.
func (d *deployment) forget(t *testing.T, token string) (time.Duration, error) {
	t.Helper()
	d.as.Revoke(token)
	err := d.rss[0].Forget(context.Background(), token)
	if err != nil {
		return 0, err
	}
	done := time.Now()
	for i, rs := range d.rss[1:] {
		require.Eventually(t, func() bool { return status(rs, token) == http.StatusUnauthorized }, waitLimit, time.Millisecond,
			"Forget returned nil, but replica %d still accepts the token", i+1)
	}
	return time.Since(done), nil
}

// causeClass is the cause classes of the store failures joined in a
// Forget error.
func causeClass(err error) []string {
	var classes []string
	var walk func(error)
	walk = func(err error) {
		if f, ok := err.(storeFailure); ok {
			classes = append(classes, f.StoreFailure())
			return
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, err := range e.Unwrap() {
				walk(err)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return classes
}

// keySpy is the store a replica uses: the Store from OpenConfig, which
// does every call, and the last key it was asked to read, so that a test
// can tell which Cluster master serves a token's keys (they are an HMAC
// of the token, computed in core).
type keySpy struct {
	*rediscache.Store

	mu   sync.Mutex
	last string
}

// Get notes the first key and reads through the Store.
func (s *keySpy) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	if len(keys) > 0 {
		s.mu.Lock()
		s.last = keys[0]
		s.mu.Unlock()
	}
	return s.Store.Get(ctx, keys...)
}

func (s *keySpy) lastKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *keySpy) forget() {
	s.mu.Lock()
	s.last = ""
	s.mu.Unlock()
}

// logSink collects log records as text, for tests to read.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// lines are the records that contain every one of parts.
func (l *logSink) lines(parts ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.Lines(l.buf.String()) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}
