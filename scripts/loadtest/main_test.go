package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestLoad runs the load test briefly on every framework and checks that
// both routes answered 200, were counted, and that the token was
// introspected once. It asserts no timing; but a worker that starts after
// its round's end sends nothing, so each route runs 250 ms a round: long
// enough for a busy machine to start some of its workers in time.
func TestLoad(t *testing.T) {
	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			rep, err := load(context.Background(), options{framework: fw, conns: 4, duration: 500 * time.Millisecond, rounds: 2})
			require.NoError(t, err)
			for _, s := range []*routeStats{rep.open, rep.api} {
				assert.Positive(t, s.ok, s.path)
				assert.Zero(t, s.failed, s.path)
				assert.Len(t, s.lat, int(s.ok), s.path)
				assert.Len(t, s.perRnd, 2, s.path)
			}
			assert.Equal(t, int64(1), rep.introspection, "every request after the first a cache hit")
			var out bytes.Buffer
			rep.print(&out)
			assert.True(t, strings.Contains(out.String(), "loadtest "+fw+":"), out.String())
			assert.True(t, strings.Contains(out.String(), "protected / unprotected throughput"), out.String())
		})
	}
}

// TestRoutersProtectTheAPIRoute: on every framework /api refuses a request
// without a token, and /open serves it.
func TestRoutersProtectTheAPIRoute(t *testing.T) {
	as, err := oidcrstest.New(oidcrstest.Config{})
	require.NoError(t, err)
	defer as.Close()
	rs, err := core.New(as.Settings(""))
	require.NoError(t, err)
	defer func() { _ = rs.Close() }()
	for _, fw := range frameworks {
		h := router(fw, rs)
		for path, want := range map[string]int{"/open": http.StatusOK, "/api": http.StatusUnauthorized} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			assert.Equal(t, want, w.Code, "%s %s", fw, path)
		}
	}
}

func TestParseFrameworks(t *testing.T) {
	all, err := parseFrameworks("all")
	require.NoError(t, err)
	assert.Equal(t, frameworks, all)
	two, err := parseFrameworks("gin,chi")
	require.NoError(t, err)
	assert.Equal(t, []string{"gin", "chi"}, two)
	_, err = parseFrameworks("gin,fiber")
	require.Error(t, err)
}

func TestLoadRejectsBadOptions(t *testing.T) {
	_, err := load(context.Background(), options{conns: 0, duration: time.Second, rounds: 1})
	require.Error(t, err)
}

// TestFlood runs the flood mode at a small scale, the ratios of the
// default one: the junk is refused, each junk token costs one call to
// the authorization server, and no valid token is evicted. It asserts no
// timing.
func TestFlood(t *testing.T) {
	o := floodOptions{senders: 8, validConns: 2, cacheSize: 500, valid: 100, junk: 2000,
		asDelay: time.Millisecond, quiet: 200 * time.Millisecond}
	rep, err := flood(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, map[int]int{http.StatusUnauthorized: o.junk}, rep.junkStatus)
	assert.EqualValues(t, o.junk, rep.junkCalls, "one call per junk token")
	assert.Zero(t, rep.evicted, "valid tokens evicted")
	assert.Zero(t, rep.validCalls)
	assert.Positive(t, rep.maxInFlight)
	assert.Positive(t, rep.quiet.ok)
	assert.Zero(t, rep.quiet.failed+rep.during.failed)
	var out bytes.Buffer
	rep.print(&out)
	assert.Contains(t, out.String(), "valid tokens evicted (asked about again): 0 of 100")
	assert.Contains(t, out.String(), "| during the flood |")
}

// TestFloodCallLimit floods with more senders than the call limit: the
// calls in flight never exceed it, the junk is refused (401) or turned
// away (503), and the cached valid tokens are all answered.
func TestFloodCallLimit(t *testing.T) {
	o := floodOptions{senders: 64, validConns: 2, cacheSize: 500, valid: 100, junk: 2000, maxCalls: 4,
		asDelay: time.Millisecond, quiet: 200 * time.Millisecond}
	rep, err := flood(context.Background(), o)
	require.NoError(t, err)
	assert.LessOrEqual(t, rep.maxInFlight, int64(o.maxCalls), "calls in flight")
	assert.Equal(t, o.junk, rep.junkStatus[http.StatusUnauthorized]+rep.junkStatus[http.StatusServiceUnavailable], "junk answers: %v", rep.junkStatus)
	assert.LessOrEqual(t, rep.junkCalls, int64(rep.junkStatus[http.StatusUnauthorized]), "a refused junk token made no call")
	assert.Zero(t, rep.evicted, "valid tokens evicted")
	assert.Zero(t, rep.quiet.failed+rep.during.failed, "cached valid tokens never refused")
	assert.Zero(t, rep.fresh.s.failed, "fresh valid tokens: 200 or 503")
	var out bytes.Buffer
	rep.print(&out)
	assert.Contains(t, out.String(), "in flight at once: ")
	assert.Contains(t, out.String(), "(limit 4)")
}

func TestFloodRejectsBadOptions(t *testing.T) {
	_, err := flood(context.Background(), floodOptions{senders: 1, validConns: 1, cacheSize: 10, valid: 0, junk: 1, quiet: time.Second})
	require.Error(t, err)
}
