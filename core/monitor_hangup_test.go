package core_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Clients that hang up while their tokens are introspected are client
// events: they never make the authorization server look down (no Warn
// record, no health change), and the requests that joined their checks
// still get the verdict, or a clean 503 of their own, never a hang.

// hangupKey carries a client's own context into the context of the call
// made for it, which keeps the values but not the cancellation.
type hangupKey struct{}

func TestClientHangUpsNeverTouchHealth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// reach makes a client's hang-up cancel the call made for it, as an
		// observer or a queue that waits on the caller's context would.
		reach bool
	}{
		{name: "the call goes on"},
		{name: "the call is cancelled", reach: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const clients = 200
			as := btAS(t, oidcrstest.JSON)
			gate := make(chan struct{})
			var open sync.Once
			release := func() { open.Do(func() { close(gate) }) }
			t.Cleanup(release) // before the server closes: no handler stays blocked
			var arrived atomic.Int64
			as.SetAnswerFunc(func(_ string, claims map[string]any) (int, string, []byte) {
				arrived.Add(1)
				<-gate
				b, _ := json.Marshal(claims)
				return 200, "application/json", b
			})
			var (
				mu       sync.Mutex
				outcomes = map[string]int{}
				changes  []core.HealthChange
				misses   atomic.Int64
			)
			obs := core.Observer{
				Cache: func(_ context.Context, level int, hit bool) {
					if level == 1 && !hit {
						misses.Add(1)
					}
				},
				Health: func(_ context.Context, h core.HealthChange) {
					mu.Lock()
					changes = append(changes, h)
					mu.Unlock()
				},
				Call: func(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
					stop := func() bool { return false }
					if client, ok := ctx.Value(hangupKey{}).(context.Context); ok && tc.reach {
						var cancel context.CancelFunc
						ctx, cancel = context.WithCancel(ctx)
						stop = context.AfterFunc(client, cancel)
					}
					return ctx, func(r core.CallResult) {
						stop()
						mu.Lock()
						if c.Endpoint == core.EndpointIntrospection {
							outcomes[r.Outcome]++
						}
						mu.Unlock()
					}
				},
			}
			logger, sink := btLogger()
			// Room for every client's call at once: the bulkhead's queue is
			// another test's matter.
			rs := btRS(t, as, func(s *core.Settings) {
				s.Timeout, s.DisableCache, s.MaxConcurrentCalls = time.Minute, false, clients
			}, core.WithLogger(logger), core.WithObserver(obs))
			mu.Lock()
			require.NotEmpty(t, changes, "New announces the endpoints it calls")
			for _, c := range changes {
				require.True(t, c.Healthy, "healthy at start")
			}
			changes = nil // what follows are the changes after start
			mu.Unlock()

			tokens := make([]string, clients)
			for i := range tokens {
				tokens[i] = as.Mint(map[string]any{"sub": "user-" + string(rune('A'+i%26))})
			}
			// Each token's first client makes the call, and hangs up.
			var leaders, joiners sync.WaitGroup
			leaderErrs, joinerErrs := make([]error, clients), make([]error, clients)
			cancels := make([]context.CancelFunc, clients)
			for i, tok := range tokens {
				ctx, cancel := context.WithCancel(context.Background())
				ctx = context.WithValue(ctx, hangupKey{}, ctx)
				cancels[i] = cancel
				leaders.Add(1)
				go func() {
					defer leaders.Done()
					_, leaderErrs[i] = btAuthCtx(rs, ctx, tok)
				}()
			}
			waitFor(t, "every call reaches the authorization server", func() bool { return arrived.Load() == clients })
			// A second client of each token joins that call and stays. (One
			// that comes too late for it makes a call of its own: the same
			// verdicts are expected of it.)
			joinerInfo := make([]*core.TokenInfo, clients)
			for i, tok := range tokens {
				joiners.Add(1)
				go func() {
					defer joiners.Done()
					joinerInfo[i], joinerErrs[i] = btAuthCtx(rs, context.Background(), tok)
				}()
			}
			waitFor(t, "every second client misses the cache", func() bool { return misses.Load() == 2*clients })
			for _, cancel := range cancels {
				cancel()
			}
			if tc.reach {
				waitDone(t, &leaders, "the clients that hung up return once their calls are cancelled")
			}
			release()
			waitDone(t, &leaders, "the clients that hung up return")
			waitDone(t, &joiners, "the joiners return")

			for i := range tokens {
				require.ErrorIs(t, leaderErrs[i], core.ErrClientGone)
				assert.Equal(t, 503, rs.ErrorResponse(leaderErrs[i]).Status)
				if tc.reach && joinerErrs[i] != nil {
					require.ErrorIs(t, joinerErrs[i], core.ErrUnavailable, "a clean 503")
					assert.NotErrorIs(t, joinerErrs[i], core.ErrClientGone, "the joiner's own error")
					assert.Equal(t, 503, rs.ErrorResponse(joinerErrs[i]).Status)
				} else {
					require.NoError(t, joinerErrs[i], "the joiner gets the verdict")
					assert.Equal(t, "user-"+string(rune('A'+i%26)), joinerInfo[i].Subject)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			canceled := 0
			if tc.reach {
				canceled = clients // each first client's call, and no other
			}
			assert.Equal(t, canceled, outcomes["canceled"], "introspections: %v", outcomes)
			assert.GreaterOrEqual(t, outcomes["ok"]+canceled, clients)
			delete(outcomes, "ok")
			delete(outcomes, "canceled")
			assert.Empty(t, outcomes, "no other outcome")
			assert.Empty(t, changes, "the health never changes")
			assert.Equal(t, 0, btCount(sink.records(t), "WARN"), "no Warn record")
			assert.NotContains(t, sink.String(), "is failing")
		})
	}
}

// btAuthCtx authenticates "Bearer "+token with rs under ctx.
func btAuthCtx(rs *core.ResourceServer, ctx context.Context, token string) (*core.TokenInfo, error) {
	return authenticate(rs, ctx, "Bearer "+token)
}

// waitDone waits, up to a wide bound, until wg is done.
func waitDone(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal(what + ": still waiting after a minute")
	}
}
