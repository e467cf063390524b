package core_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// heldAS makes as hold every introspection answer, once held is set, until
// the returned release is called, and counts the answers being prepared at
// once: the calls in flight as the authorization server sees them.
type heldAS struct {
	held     atomic.Bool
	gate     chan struct{}
	once     sync.Once
	now, max atomic.Int64
	calls    atomic.Int64
}

func holdAnswers(t *testing.T, as *oidcrstest.Server) *heldAS {
	h := &heldAS{gate: make(chan struct{})}
	t.Cleanup(h.release) // the server cannot stop while an answer waits
	as.SetAnswerFunc(func(_ string, claims map[string]any) (int, string, []byte) {
		n := h.now.Add(1)
		defer h.now.Add(-1)
		for m := h.max.Load(); n > m && !h.max.CompareAndSwap(m, n); m = h.max.Load() {
		}
		h.calls.Add(1)
		if h.held.Load() {
			<-h.gate
		}
		b, _ := json.Marshal(claims)
		return http.StatusOK, "application/json", b
	})
	return h
}

func (h *heldAS) release() { h.once.Do(func() { close(h.gate) }) }

// waitFor polls cond until it holds, failing the test after a wide bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // wide: the machine may be busy
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after a minute", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// serveWithin is perfServe, failing the test when no answer comes within
// a wide bound.
func serveWithin(t *testing.T, h http.Handler, token string) *httptest.ResponseRecorder {
	t.Helper()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- perfServe(h, token) }()
	select {
	case w := <-done:
		return w
	case <-time.After(20 * time.Second):
		t.Fatal("no answer after 20 s")
		return nil
	}
}

// TestCallLimit: with the authorization server holding its answers, many
// distinct tokens make at most MaxConcurrentCalls calls at once and
// QueueFactor times as many wait; one more is refused at once with 503,
// Retry-After and a fixed description, without counting as a failure of
// the authorization server. Meanwhile a cached token is answered, and the
// requests of a token already being asked about join its call instead of
// taking a place. Once the answers come, every waiting request gets its
// own.
func TestCallLimit(t *testing.T) {
	const limit = 3
	queue := limit * core.QueueFactor
	var health, busy, misses atomic.Int64
	obs := core.Observer{
		Health: func(context.Context, core.HealthChange) { health.Add(1) },
		Cache: func(_ context.Context, _ int, hit bool) {
			if !hit {
				misses.Add(1)
			}
		},
		Decision: func(_ context.Context, d core.Decision) {
			if d.Description == core.DescCallLimit {
				busy.Add(1)
			}
		},
	}
	logger, logs := btLogger()
	as, rs := startPerf(t, perfSetup{edit: func(s *core.Settings) {
		s.MaxConcurrentCalls = limit
		s.Timeout = time.Minute // the wait ends with the answers, never with OIDC_TIMEOUT
	},
		opts: []core.Option{core.WithObserver(obs), core.WithLogger(logger)}})
	health.Store(0) // count the changes after New's announcement of healthy endpoints
	h := rs.Middleware()(perfOK)
	held := holdAnswers(t, as)

	cached := as.Mint(nil)
	require.Equal(t, http.StatusNoContent, perfGet(h, cached))
	held.held.Store(true)

	tokens := make([]string, limit+queue)
	for i := range tokens {
		tokens[i] = as.Mint(nil)
	}
	codes := make([]int, len(tokens))
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() { codes[i] = perfGet(h, tok) })
	}
	waitFor(t, "the limit reached and the queue full", func() bool {
		return held.now.Load() == limit && core.CallsWaiting(rs) == queue
	})

	// Requests for the tokens under way join their calls: had they
	// passed the limit, its full queue would have refused them.
	before := misses.Load()
	joined := make([]int, 2*len(tokens))
	for i := range joined {
		wg.Go(func() { joined[i] = perfGet(h, tokens[i%len(tokens)]) })
	}
	waitFor(t, "the joiners missed the cache", func() bool { return misses.Load() == before+int64(len(joined)) })

	for range 5 {
		assert.Equal(t, http.StatusNoContent, perfGet(h, cached), "a cached token never waits")
	}
	w := serveWithin(t, h, as.Mint(nil))
	assert.Equal(t, http.StatusServiceUnavailable, w.Code, "past the queue")
	assert.Equal(t, "1", w.Header().Get("Retry-After"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{"error": "temporarily_unavailable", "error_description": core.DescCallLimit}, body)
	assert.Empty(t, w.Header().Get("WWW-Authenticate"))
	assert.EqualValues(t, 1, busy.Load(), "the refusal reaches the observer")
	assert.Zero(t, health.Load(), "a call never made is no failure of the authorization server")
	assert.EqualValues(t, 1+limit, held.calls.Load(), "the cached token's call, and the limit's")
	assert.Contains(t, logs.String(), `"level":"WARN","msg":"oidcrs: requests refused: too many calls`)

	held.release()
	waitOrFail(t, &wg, "the held requests")
	for i, c := range codes {
		assert.Equal(t, http.StatusNoContent, c, "token %d", i)
	}
	for i, c := range joined {
		assert.Equal(t, http.StatusNoContent, c, "joiner %d", i)
	}
	assert.EqualValues(t, limit, held.max.Load(), "never more calls in flight than the limit")

	assert.Zero(t, health.Load())
}
