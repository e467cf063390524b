package core_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// A shared cache's store names the cause of its failures (StoreFailure):
// the log, the calls and the health change carry that class, and nothing
// else: any other value falls back to core's own classes, timeout when a
// deadline passed, else refused.

// classError is a store error that names its class.
type classError struct {
	class string
	err   error // what it wraps, if anything
}

func (e classError) Error() string        { return "store failed: " + e.class }
func (e classError) StoreFailure() string { return e.class }
func (e classError) Unwrap() error        { return e.err }

// downStore is a core.SharedStore whose every call fails with err.
type downStore struct{ err error }

func (s downStore) Get(context.Context, ...string) ([][]byte, error) { return nil, s.err }
func (s downStore) Set(context.Context, string, []byte, time.Duration) error {
	return s.err
}
func (s downStore) SetNX(context.Context, string, []byte, time.Duration) (bool, error) {
	return false, s.err
}
func (s downStore) DeleteIfEqual(context.Context, string, []byte) error { return s.err }
func (s downStore) Delete(context.Context, ...string) error             { return s.err }
func (s downStore) Publish(context.Context, string, []byte) error       { return s.err }
func (s downStore) Subscribe(string, func([]byte)) func()               { return func() {} }

// healthLog records what an Observer sees of calls and health changes.
type healthLog struct {
	mu      sync.Mutex
	calls   map[core.Endpoint][]string // each call's outcome
	changes []core.HealthChange
	start   int // len(changes) when started was called
}

func (h *healthLog) observer() core.Option {
	h.calls = map[core.Endpoint][]string{}
	return core.WithObserver(core.Observer{
		Call: func(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
			return ctx, func(r core.CallResult) {
				h.mu.Lock()
				h.calls[c.Endpoint] = append(h.calls[c.Endpoint], r.Outcome)
				h.mu.Unlock()
			}
		},
		Health: func(_ context.Context, c core.HealthChange) {
			h.mu.Lock()
			h.changes = append(h.changes, c)
			h.mu.Unlock()
		},
	})
}

// outcomes returns the distinct outcomes of ep's calls.
func (h *healthLog) outcomes(ep core.Endpoint) map[string]bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]bool{}
	for _, o := range h.calls[ep] {
		out[o] = true
	}
	return out
}

// health returns the health changes since started (all of them without
// it).
func (h *healthLog) health() []core.HealthChange {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]core.HealthChange(nil), h.changes[h.start:]...)
}

// started marks the ResourceServer's start, once New has returned: it
// checks that everything heard so far is New's announcement of healthy
// endpoints, and health returns what comes after.
func (h *healthLog) started(t *testing.T) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(t, h.changes, "New announces the endpoints it calls")
	for _, c := range h.changes {
		require.True(t, c.Healthy && c.Failures == 0, "at start, healthy: %+v", c)
	}
	h.start = len(h.changes)
}

func TestSharedCacheFailureClass(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	deadline := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	refusedDial := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name, want string
		err        error
	}{
		{"timeout", "timeout", classError{class: "timeout"}},
		{"refused", "refused", classError{class: "refused"}},
		{"redirect", "redirect", classError{class: "redirect"}},
		{"authentication", "authentication", classError{class: "authentication"}},
		{"permission", "permission", classError{class: "permission"}},
		{"tls", "tls", classError{class: "tls"}},
		{"deep in the chain", "permission", fmt.Errorf("get: %w", fmt.Errorf("node 2: %w", classError{class: "permission"}))},
		{"in a joined error", "redirect", errors.Join(errors.New("first route"), classError{class: "redirect"})},
		{"the class beats a deadline under it", "tls", classError{class: "tls", err: context.DeadlineExceeded}},
		{"unknown class", "refused", classError{class: "node 7 is on fire"}},
		{"unknown class over a deadline", "timeout", classError{class: "TIMEOUT", err: context.DeadlineExceeded}},
		{"no class, the context's deadline", "timeout", fmt.Errorf("get: %w", context.DeadlineExceeded)},
		{"no class, a network timeout", "timeout", deadline},
		{"no class, a refused dial", "refused", refusedDial},
		{"no class", "refused", errors.New("connection reset by peer")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			logger, sink := btLogger()
			var seen healthLog
			rs := btReplica(t, as, downStore{tc.err}, nil, core.WithLogger(logger), seen.observer())
			seen.started(t)
			_, err := btAuth(rs, as.Mint(nil))
			require.NoError(t, err, "a store that fails is skipped; the authorization server answers")

			var warns []map[string]any
			for _, r := range sink.records(t) {
				if r["level"] == "WARN" {
					warns = append(warns, r)
				}
			}
			require.Len(t, warns, 1, "one Warn when the store starts failing")
			assert.Equal(t, "oidcrs: shared_cache is failing", warns[0]["msg"])
			assert.Equal(t, tc.want, warns[0]["failure"])
			assert.Equal(t, map[string]bool{tc.want: true}, seen.outcomes(core.EndpointSharedCache), "every store call's outcome")
			changes := seen.health()
			require.Len(t, changes, 1)
			assert.Equal(t, core.HealthChange{Endpoint: core.EndpointSharedCache, Outcome: tc.want}, core.HealthChange{
				Endpoint: changes[0].Endpoint, Healthy: changes[0].Healthy, Outcome: changes[0].Outcome})
		})
	}
}
