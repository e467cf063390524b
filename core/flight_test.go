package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// perfGate holds the fake authorization server's answers until opened: a
// slow authorization server whose pace the test decides.
type perfGate struct {
	ch   chan struct{}
	once sync.Once
}

// gateAnswers makes as wait for the returned gate before each JSON answer.
func gateAnswers(t *testing.T, as *oidcrstest.Server) *perfGate {
	g := &perfGate{ch: make(chan struct{})}
	t.Cleanup(g.open) // the server cannot stop while an answer waits
	as.SetAnswerFunc(func(_ string, claims map[string]any) (int, string, []byte) {
		<-g.ch
		b, err := json.Marshal(claims)
		if err != nil {
			return http.StatusInternalServerError, "application/json", nil
		}
		return http.StatusOK, "application/json", b
	})
	return g
}

func (g *perfGate) open() { g.once.Do(func() { close(g.ch) }) }

// waitOrFail waits for wg, failing the test after a generous bound.
func waitOrFail(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still waiting after 10 s", what)
	}
}

type perfResult struct {
	ti  *core.TokenInfo
	err error
}

// TestFlightCancelledCallersDoNotFailTheOthers: caller 0 starts the call
// (on its own goroutine) and hangs up; the callers that joined it and hang
// up leave at once; the others get the answer. Caller 0 cannot leave
// before the call ends, and then gets its own context's error.
func TestFlightCancelledCallersDoNotFailTheOthers(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	gate := gateAnswers(t, as)
	tok := as.Mint(nil)
	const n = 50
	results := make([]perfResult, n)
	ctxs := make([]context.Context, n)
	var cancels []context.CancelFunc
	for i := range ctxs {
		ctxs[i] = context.Background()
		if i%2 == 0 {
			var cancel context.CancelFunc
			ctxs[i], cancel = context.WithCancel(ctxs[i])
			cancels = append(cancels, cancel)
		}
	}
	call := func(i int) { results[i].ti, results[i].err = authenticate(rs, ctxs[i], "Bearer "+tok) }

	var first, cancelled, kept sync.WaitGroup
	first.Go(func() { call(0) })
	require.Eventually(t, func() bool { return as.IntrospectionCalls() == 1 }, 10*time.Second, time.Millisecond)
	for i := 1; i < n; i++ {
		if i%2 == 0 {
			cancelled.Go(func() { call(i) })
		} else {
			kept.Go(func() { call(i) })
		}
	}
	for _, cancel := range cancels {
		cancel()
	}
	// The cancelled callers that joined return while the authorization
	// server still holds its answer.
	waitOrFail(t, &cancelled, "cancelled callers")
	gate.open()
	waitOrFail(t, &kept, "other callers")
	waitOrFail(t, &first, "the first caller")

	for i, r := range results {
		if i%2 == 0 {
			require.ErrorIs(t, r.err, context.Canceled, "caller %d", i)
			assert.ErrorIs(t, r.err, core.ErrUnavailable, "caller %d", i)
			continue
		}
		require.NoError(t, r.err, "caller %d", i)
		assert.Equal(t, oidcrstest.DefaultSubject, r.ti.Subject)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}

func TestFlightCallerDeadlineDoesNotFailTheOthers(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	gate := gateAnswers(t, as)
	tok := as.Mint(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()

	var short, patient perfResult
	var pw, sw sync.WaitGroup
	pw.Go(func() { patient.ti, patient.err = authenticate(rs, context.Background(), "Bearer "+tok) })
	require.Eventually(t, func() bool { return as.IntrospectionCalls() == 1 }, 10*time.Second, time.Millisecond)
	sw.Go(func() { short.ti, short.err = authenticate(rs, ctx, "Bearer "+tok) })
	waitOrFail(t, &sw, "the caller with a deadline")
	require.ErrorIs(t, short.err, context.DeadlineExceeded)
	assert.Equal(t, http.StatusServiceUnavailable, rs.ErrorResponse(short.err).Status)

	gate.open()
	waitOrFail(t, &pw, "patient caller")
	require.NoError(t, patient.err)
	assert.Equal(t, oidcrstest.DefaultSubject, patient.ti.Subject)
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}

func TestFlightDistinctTokensAreNotCollapsed(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	as.SetFault(&oidcrstest.Fault{Delay: 100 * time.Millisecond})
	toks := make([]string, 10)
	for i := range toks {
		toks[i] = as.Mint(map[string]any{"sub": fmt.Sprintf("user-%d", i)})
	}
	subs := make([]string, len(toks))
	var wg sync.WaitGroup
	for i, tok := range toks {
		wg.Go(func() {
			if ti, err := authenticate(rs, context.Background(), "Bearer "+tok); err == nil {
				subs[i] = ti.Subject
			}
		})
	}
	waitOrFail(t, &wg, "callers")
	for i, sub := range subs {
		assert.Equal(t, fmt.Sprintf("user-%d", i), sub, "each caller gets its own token's answer")
	}
	assert.EqualValues(t, len(toks), as.IntrospectionCalls())
}

// panickyCache panics in its first Set.
type panickyCache struct {
	*core.MemoryCache
	armed atomic.Bool
}

func (c *panickyCache) Set(key core.CacheKey, e core.CacheEntry, now time.Time) {
	if c.armed.CompareAndSwap(true, false) {
		panic("cache exploded")
	}
	c.MemoryCache.Set(key, e, now)
}

func TestFlightPanicReachesTheCallerNotTheProcess(t *testing.T) {
	cache := &panickyCache{MemoryCache: core.NewMemoryCache(10)}
	cache.armed.Store(true)
	as, rs := startPerf(t, perfSetup{opts: []core.Option{core.WithCache(cache)}})
	tok := as.Mint(nil)

	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_, _ = authenticate(rs, context.Background(), "Bearer "+tok)
	}()
	require.NotNil(t, recovered, "the panic is raised in the caller's goroutine")
	err, ok := recovered.(error)
	require.True(t, ok)
	assert.Contains(t, err.Error(), "cache exploded")

	ti, err := authenticate(rs, context.Background(), "Bearer "+tok)
	require.NoError(t, err, "the failed call left nothing behind")
	assert.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
	assert.EqualValues(t, 2, as.IntrospectionCalls())
}

func TestCountingConcurrentRequestsIntrospectOnce(t *testing.T) {
	as, rs := startPerf(t, perfSetup{})
	// A slow authorization server keeps the first call in flight while the
	// others arrive: they must join it rather than ask again.
	as.SetFault(&oidcrstest.Fault{Delay: 300 * time.Millisecond})
	h := rs.Middleware()(perfOK)
	tok := as.Mint(nil)
	codes := perfConcurrent(200, 0, func(int) int { return perfGet(h, tok) })
	for i, c := range codes {
		require.Equal(t, http.StatusNoContent, c, "request %d", i)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls())
}
