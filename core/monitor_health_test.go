package core_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// An endpoint where some calls fail while others succeed (one dead node
// of a Redis Cluster, one bad instance behind a load balancer) is one
// degradation: one Warn when it starts, one summary per log interval while
// failures go on, one Info once no call has failed for an interval; the
// successes in between change nothing, in the log or for the observer.

// flakyStore is a store whose Get fails, naming its class, while fail is
// set; as a Cluster node's would, the failure concerns some keys only.
type flakyStore struct {
	core.SharedStore
	fail atomic.Bool
}

// nodeError is the failure of one node of a Cluster.
type nodeError struct{ classError }

func (nodeError) Partial() bool { return true }

func (s *flakyStore) Get(ctx context.Context, keys ...string) ([][]byte, error) {
	if s.fail.Load() {
		return nil, fmt.Errorf("node 127.0.0.1:7002: %w", nodeError{classError{class: "redirect"}})
	}
	return s.SharedStore.Get(ctx, keys...)
}

func TestIntermittentFailuresAreOneDegradation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		endpoint, failure string
		// start builds a resource server on clock; fail makes the next
		// request's call to the endpoint fail, or not.
		start func(t *testing.T, as *oidcrstest.Server, opts ...core.Option) (rs *core.ResourceServer, interval time.Duration, fail func(bool))
		// exact: each summary counts exactly 1 failed and 2 good calls
		// per step; the shared cache makes several calls per request.
		exact bool
	}{
		{endpoint: "introspection", failure: "status", exact: true,
			start: func(t *testing.T, as *oidcrstest.Server, opts ...core.Option) (*core.ResourceServer, time.Duration, func(bool)) {
				rs := btRS(t, as, func(s *core.Settings) { s.LogInterval = time.Second }, opts...)
				return rs, time.Second, func(on bool) {
					if on {
						as.SetFault(&oidcrstest.FaultServerError)
					} else {
						as.SetFault(nil)
					}
				}
			}},
		{endpoint: "shared_cache", failure: "redirect",
			start: func(t *testing.T, as *oidcrstest.Server, opts ...core.Option) (*core.ResourceServer, time.Duration, func(bool)) {
				store := &flakyStore{SharedStore: newMemStore()}
				rs := btReplica(t, as, store, nil, opts...)
				return rs, 30 * time.Second, store.fail.Store // the default log interval
			}},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			logger, sink := btLogger()
			clock := newBTClock()
			var seen healthLog
			rs, interval, fail := tc.start(t, as, core.WithLogger(logger), core.WithClock(clock.Now), seen.observer())
			seen.started(t)
			step := interval / 10
			// Each step: one request whose call fails, then two whose
			// calls succeed; 35 steps, 3.5 intervals.
			for range 35 {
				clock.Advance(step)
				for i := range 3 {
					fail(i == 0)
					_, _ = btAuth(rs, as.Mint(nil))
				}
			}
			fail(false)
			// Good answers only, for one step less than an interval since
			// the last failure: not back yet.
			for range 9 {
				clock.Advance(step)
				_, err := btAuth(rs, as.Mint(nil))
				require.NoError(t, err)
			}
			warns, summaries, backs := healthRecords(t, sink, tc.endpoint)
			require.Len(t, warns, 1, "one Warn when the degradation starts")
			assert.Equal(t, tc.failure, warns[0]["failure"])
			require.Len(t, summaries, 3, "one summary per interval: at 1.1, 2.1 and 3.1 intervals")
			for _, s := range summaries {
				assert.Equal(t, tc.failure, s["failure"])
				if tc.exact {
					// 10 steps, each with 1 failed call (its request refused)
					// and 2 good ones.
					assert.EqualValues(t, 10, s["failed_calls"])
					assert.EqualValues(t, 20, s["succeeded_calls"])
					assert.EqualValues(t, 10, s["requests_refused"])
				} else {
					assert.Positive(t, s["failed_calls"])
					assert.Positive(t, s["succeeded_calls"])
				}
			}
			assert.Empty(t, backs, "an answer less than an interval after a failure does not end it")
			require.Len(t, seen.health(), 1, "the observer sees the start only")

			// An interval with no failure: the next answer ends it.
			clock.Advance(step)
			_, err := btAuth(rs, as.Mint(nil))
			require.NoError(t, err)
			warns, summaries, backs = healthRecords(t, sink, tc.endpoint)
			assert.Len(t, warns, 1)
			assert.Len(t, summaries, 3)
			require.Len(t, backs, 1, "one Info once no call has failed for an interval")
			// From the first failure, at step 1, to the first answer after
			// the last, in step 35.
			assert.Equal(t, (34 * step).String(), backs[0]["outage"])
			if tc.exact {
				assert.EqualValues(t, 35, backs[0]["failed_calls"])
				// 2 per step during the failures, then the 10 answers after.
				assert.EqualValues(t, 80, backs[0]["succeeded_calls"])
			}
			changes := seen.health()
			require.Len(t, changes, 2)
			assert.Equal(t, []string{tc.failure, "ok"}, []string{changes[0].Outcome, changes[1].Outcome})
			assert.Equal(t, []bool{false, true}, []bool{changes[0].Healthy, changes[1].Healthy})
			if tc.exact {
				assert.EqualValues(t, 35, changes[1].Failures, "the failed calls over the degradation")
			} else {
				assert.GreaterOrEqual(t, changes[1].Failures, int64(35), "the failed calls over the degradation")
			}
		})
	}
}

// healthRecords returns endpoint's health records: its Warn at the start,
// its Warn summaries and its Info at the end.
func healthRecords(t *testing.T, sink *btLogSink, endpoint string) (warns, summaries, backs []map[string]any) {
	t.Helper()
	for _, r := range sink.records(t) {
		switch r["msg"] {
		case "oidcrs: " + endpoint + " is failing":
			warns = append(warns, r)
		case "oidcrs: " + endpoint + " still failing":
			summaries = append(summaries, r)
		case "oidcrs: " + endpoint + " is back":
			assert.Equal(t, "INFO", r["level"])
			backs = append(backs, r)
		}
	}
	return warns, summaries, backs
}
