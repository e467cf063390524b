package suite_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// inflight bounds the calls in flight, all of which end at the one-process
// AS: the cases run concurrently, and a loaded shared machine must not
// push the AS past the timeouts (the RS's OIDC_TIMEOUT, the AS's for
// fetching a jwks_uri: both 60 s here). Sleeping cases hold no slot.
var inflight = make(chan struct{}, 8)

type urgentKey struct{}

// urgent returns a context whose calls take no inflight slot: the calls
// that must be done before a short-lived token expires.
func urgent() context.Context { return context.WithValue(context.Background(), urgentKey{}, true) }

// throttle takes an inflight slot, unless ctx is urgent, until release.
func throttle(ctx context.Context) (release func()) {
	if ctx.Value(urgentKey{}) != nil {
		return func() {}
	}
	inflight <- struct{}{}
	return func() { <-inflight }
}

// throttled is a RoundTripper that holds a slot (see throttle) until the
// response headers are in (the bodies are small).
type throttled struct{ next http.RoundTripper }

func (t throttled) RoundTrip(r *http.Request) (*http.Response, error) {
	defer throttle(r.Context())()
	return t.next.RoundTrip(r)
}

// tally counts the cases of a top-level test that passed, for its closing
// summary.
type tally struct{ passed atomic.Int64 }

// summary logs, once t's subtests are done, how many cases passed. It logs
// names and counts only: never a token, secret or key.
func (c *tally) summary(t *testing.T, what string) {
	names := make([]string, len(appBuilders))
	for i, b := range appBuilders {
		names[i] = b.name
	}
	t.Cleanup(func() {
		t.Logf("%s: %d cases passed through the app builders %s against oidc-provider 9.13.3",
			what, c.passed.Load(), strings.Join(names, ", "))
	})
}

// group runs subtests of t concurrently, each t.Run on a goroutine of its
// own (which testing allows), and counts the passed ones in cases (if not
// nil). Unlike t.Parallel it is not bound by -parallel (GOMAXPROCS by
// default): the cases mostly wait, on the AS or for a token to expire,
// and would otherwise run two at a time on a two-core machine. Call wait
// before t's function returns.
type group struct {
	t     *testing.T
	cases *tally
	wg    sync.WaitGroup
}

func newGroup(t *testing.T, cases *tally) *group { return &group{t: t, cases: cases} }

// run starts the subtest name.
func (g *group) run(name string, f func(t *testing.T)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		g.t.Run(name, func(t *testing.T) {
			f(t)
			if g.cases != nil && !t.Failed() {
				g.cases.passed.Add(1)
			}
		})
	}()
}

// wait waits for every subtest started by run.
func (g *group) wait() { g.wg.Wait() }
