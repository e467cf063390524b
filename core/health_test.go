package core_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// An outage of the authorization server is one clear record per state
// change, not a flood: one Warn when it starts, at most one Warn summary
// per OIDC_RS_LOG_INTERVAL, one Info when it is over; every request's own
// record stays at Debug.

// outage makes an outage with fault that lasts rounds steps of clock:
// each round moves the clock by step, then sends 20 fresh tokens at once.
// It then ends the fault: one request a step later gets the endpoint's
// first answer, and one more once settle (the log interval) has passed
// with no failure, which ends the outage; outage returns that request's
// error. The outage's length is the clock's, so a busy machine changes
// nothing.
func outage(t *testing.T, rs *core.ResourceServer, clock *btClock, step, settle time.Duration, rounds int,
	mint func() string, fault func(bool)) error {
	t.Helper()
	fault(true)
	var refused atomic.Int64
	for range rounds {
		clock.Advance(step)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if _, err := btAuth(rs, mint()); err != nil {
					refused.Add(1)
				}
			})
		}
		wg.Wait()
	}
	require.EqualValues(t, 20*rounds, refused.Load(), "every request during the outage is refused")
	fault(false)
	clock.Advance(step)
	_, err := btAuth(rs, mint())
	require.False(t, errors.Is(err, core.ErrUnavailable), "the endpoint answers again: %v", err)
	clock.Advance(settle)
	_, err = btAuth(rs, mint())
	return err
}

// checkOutageLog checks the outage's records: one Warn when it starts,
// between 1 and maxSummaries summaries, one Info when it is over, which
// says that the outage lasted until the endpoint's first answer.
func checkOutageLog(t *testing.T, sink *btLogSink, endpoint string, maxSummaries int, outage time.Duration) {
	t.Helper()
	var failing, summaries, back int
	for _, r := range sink.records(t) {
		msg, _ := r["msg"].(string)
		switch {
		case r["level"] == "WARN" && msg == "oidcrs: "+endpoint+" is failing":
			failing++
		case r["level"] == "WARN" && msg == "oidcrs: "+endpoint+" still failing":
			summaries++
		case r["level"] == "INFO" && msg == "oidcrs: "+endpoint+" is back":
			back++
			assert.Positive(t, r["failed_calls"], "totals at recovery")
			assert.Equal(t, outage.String(), r["outage"])
		case r["level"] == "WARN" || r["level"] == "ERROR":
			t.Errorf("an unexpected record: %v", r)
		}
	}
	assert.Equal(t, 1, failing, "one Warn when the outage starts")
	assert.GreaterOrEqual(t, summaries, 1, "a summary once an interval has passed")
	assert.LessOrEqual(t, summaries, maxSummaries, "at most one summary per interval")
	assert.Equal(t, 1, back, "one Info at recovery")
}

func TestOutageOfTheAuthorizationServerIsLoggedOnce(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	logger, sink := btLogger()
	clock := newBTClock()
	rs := btRS(t, as, func(s *core.Settings) { s.LogInterval = time.Second }, core.WithLogger(logger), core.WithClock(clock.Now))
	// 3 s of the clock in steps of 100 ms: failures from 0.1 s to 3 s,
	// summaries at 1.1 s and 2.1 s, the first answer at 3.1 s.
	err := outage(t, rs, clock, 100*time.Millisecond, time.Second, 30, func() string { return as.Mint(nil) }, func(on bool) {
		if on {
			as.SetFault(&oidcrstest.FaultServerError)
		} else {
			as.SetFault(nil)
		}
	})
	require.NoError(t, err, "after the outage")
	checkOutageLog(t, sink, "introspection", 2, 3*time.Second)
	debug := btCount(sink.records(t), "DEBUG")
	assert.GreaterOrEqual(t, debug, 600, "every refused request still has its Debug record")
}

func TestOutageOfTheJWKSEndpointIsLoggedOnce(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
	logger, sink := btLogger()
	st := as.AccessTokenSettings()
	st.LogInterval = 30 * time.Second
	clock := newBTClock()
	rs, err := core.New(st, core.WithLogger(logger), core.WithClock(clock.Now))
	require.NoError(t, err)
	_, err = btAuth(rs, as.MintAccessToken(nil, nil))
	require.NoError(t, err)
	// Each fresh token names a kid the set does not hold, so every round
	// may refetch (at most once per 5 s of the clock): 60 s in steps of 6 s,
	// a summary at 36 s, the first answer at 66 s.
	err = outage(t, rs, clock, 6*time.Second, st.LogInterval, 10, func() string {
		return as.MintAccessToken(map[string]any{"iat": clock.Now().Unix()}, map[jose.HeaderKey]any{"kid": "rotated"})
	}, func(on bool) {
		if on {
			as.SetJWKSFault(&oidcrstest.FaultDown)
		} else {
			as.SetJWKSFault(nil)
		}
	})
	require.ErrorIs(t, err, core.ErrInvalidToken, "after the outage the set is read again; it has no such kid")
	checkOutageLog(t, sink, "jwks", 1, time.Minute)
}

// TestObserver: every hook sees a scripted run, and agrees with the logs.
func TestObserver(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var mu sync.Mutex
	got := map[string]int{}
	count := func(k string) { mu.Lock(); got[k]++; mu.Unlock() }
	obs := core.Observer{
		Decision: func(_ context.Context, d core.Decision) {
			count("decision " + strconv.Itoa(d.Status))
		},
		Cache: func(_ context.Context, level int, hit bool) {
			if hit {
				count("hit")
			} else {
				count("miss")
			}
		},
		Call: func(ctx context.Context, c core.Call) (context.Context, func(core.CallResult)) {
			count("call " + string(c.Endpoint))
			return ctx, func(r core.CallResult) { count("end " + r.Outcome) }
		},
		Collapsed: func(context.Context) { count("collapsed") },
		Health: func(_ context.Context, h core.HealthChange) {
			if h.Healthy {
				count("healthy")
			} else {
				count("unhealthy")
			}
		},
	}
	clock := newBTClock()
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false; s.LogInterval = time.Second },
		core.WithObserver(obs), core.WithClock(clock.Now))
	mu.Lock()
	// New announces the endpoints the configuration calls, as healthy:
	// introspection, and discovery for the client authentication method.
	assert.Equal(t, map[string]int{"healthy": 2}, got, "at start")
	clear(got) // what follows counts what happens after start
	mu.Unlock()
	good := as.Mint(nil)
	for range 3 {
		_, _ = btAuth(rs, good)
	}
	_, _ = btAuth(rs, "revoked")
	_, _ = authenticate(rs, context.Background(), "Bearer ")
	as.SetFault(&oidcrstest.FaultServerError)
	_, _ = btAuth(rs, as.Mint(nil))
	as.SetFault(nil)
	clock.Advance(time.Second) // no failure for the log interval: back at the next answer
	_, _ = btAuth(rs, as.Mint(nil))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, map[string]int{
		"decision 200": 4, "decision 401": 1, "decision 400": 1, "decision 503": 1,
		"hit": 2, "miss": 4, "call introspection": 4, "end ok": 4, "end status": 1,
		"unhealthy": 1, "healthy": 1,
		// The first introspection reads the metadata for the client
		// authentication method, once.
		"call discovery": 1,
	}, got)
}
