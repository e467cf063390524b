package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// floodOptions are the flags of -flood.
type floodOptions struct {
	framework  string        // one of frameworks; "" is net/http
	senders    int           // junk senders, one connection each (-c)
	validConns int           // connections sending cached valid tokens (-vc)
	cacheSize  int           // OIDC_RS_CACHE_SIZE (-cache)
	valid      int           // valid tokens cached before the flood (-valid)
	junk       int           // unique junk tokens, each sent once (-junk)
	asDelay    time.Duration // how long the authorization server takes to answer (-as-delay)
	quiet      time.Duration // valid traffic alone, before the flood (-d)
	maxCalls   int           // OIDC_RS_MAX_CONCURRENT_CALLS (-max-calls); 0 is core's default
}

// floodReport is what a flood run measured.
type floodReport struct {
	opts          floodOptions
	junkStatus    map[int]int   // junk answers by status; 0 counts transport errors
	junkCalls     int64         // introspections of junk tokens
	validCalls    int64         // introspections of valid tokens after they were cached
	maxInFlight   int64         // most calls to the authorization server in flight at once
	evicted       int           // distinct valid tokens asked about again after they were cached
	maxCalls      int           // the call limit in force
	fresh         freshStats    // valid tokens not cached yet, sent during the flood
	floodTime     time.Duration // from the first junk request to the last answer
	quiet, during *routeStats   // valid traffic without and during the flood
}

// flood caches opts.valid tokens in a cache of opts.cacheSize, measures
// valid traffic alone for opts.quiet, then sends opts.junk unique junk
// tokens from opts.senders connections while the valid traffic goes on,
// and finally asks once more with every valid token: any of them the
// authorization server hears about again was evicted.
func flood(ctx context.Context, o floodOptions) (*floodReport, error) {
	if o.senders < 1 || o.validConns < 1 || o.valid < 1 || o.junk < 1 || o.cacheSize < 1 || o.quiet <= 0 {
		return nil, errors.New("-c, -vc, -valid, -junk and -cache must be at least 1, -d positive")
	}
	as, err := oidcrstest.New(oidcrstest.Config{TokenTTL: 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	defer as.Close()
	if o.asDelay > 0 {
		as.SetFault(&oidcrstest.Fault{Delay: o.asDelay})
	}
	tokens := make([]string, o.valid)
	isValid := make(map[string]bool, o.valid)
	for i := range tokens {
		tokens[i] = as.Mint(nil)
		isValid[tokens[i]] = true
	}
	var cached atomic.Bool
	var junkCalls, validCalls atomic.Int64
	var mu sync.Mutex
	reasked := map[string]bool{}
	fresh := map[string]bool{} // valid tokens minted during the flood
	as.SetAnswerFunc(func(tok string, claims map[string]any) (int, string, []byte) {
		mu.Lock()
		isFresh := fresh[tok]
		mu.Unlock()
		switch {
		case isFresh:
		case !isValid[tok]:
			junkCalls.Add(1)
		case cached.Load():
			validCalls.Add(1)
			mu.Lock()
			reasked[tok] = true
			mu.Unlock()
		}
		b, _ := json.Marshal(claims)
		return http.StatusOK, "application/json", b
	})

	st := as.Settings("")
	st.CacheSize = o.cacheSize
	st.CacheTTL = time.Hour
	st.MaxConcurrentCalls = o.maxCalls
	calls := &inFlight{base: &http.Transport{MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}}
	rs, err := core.New(st, core.WithHTTPClient(&http.Client{Transport: calls, Timeout: 30 * time.Second}))
	if err != nil {
		return nil, err
	}
	defer func() { _ = rs.Close() }()
	o.maxCalls = rs.Settings().MaxConcurrentCalls
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: router(o.framework, rs), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()
	conns := o.senders + o.validConns + 1
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := "http://" + ln.Addr().String() + "/api"

	for _, tok := range tokens {
		if code, err := get(ctx, cl, url, tok); err != nil || code != http.StatusOK {
			return nil, fmt.Errorf("caching a valid token: status %d, %v", code, err)
		}
	}
	cached.Store(true)
	rep := &floodReport{opts: o, junkStatus: map[int]int{}, maxCalls: o.maxCalls}
	quietCtx, stop := context.WithTimeout(ctx, o.quiet)
	rep.quiet = sendValid(quietCtx, cl, url, tokens, o.validConns)
	stop()

	floodCtx, stop := context.WithCancel(ctx)
	defer stop()
	var during sync.WaitGroup
	during.Go(func() { rep.during = sendValid(floodCtx, cl, url, tokens, o.validConns) })
	during.Go(func() {
		rep.fresh = sendFresh(floodCtx, cl, url, func() string {
			tok := as.Mint(nil)
			mu.Lock()
			fresh[tok] = true
			mu.Unlock()
			return tok
		})
	})
	calls.max.Store(calls.now.Load())
	start := time.Now()
	rep.junkStatus = sendJunk(ctx, cl, url, o.junk, o.senders)
	rep.floodTime = time.Since(start)
	rep.maxInFlight = calls.max.Load()
	stop()
	during.Wait()

	for _, tok := range tokens {
		if code, err := get(ctx, cl, url, tok); err != nil || code != http.StatusOK {
			return nil, fmt.Errorf("a valid token after the flood: status %d, %v", code, err)
		}
	}
	rep.junkCalls, rep.validCalls = junkCalls.Load(), validCalls.Load()
	mu.Lock()
	rep.evicted = len(reasked)
	mu.Unlock()
	return rep, ctx.Err()
}

// sendValid sends the valid tokens in turn from conns workers until ctx
// ends, and returns what they measured.
func sendValid(ctx context.Context, cl *http.Client, url string, tokens []string, conns int) *routeStats {
	s := &routeStats{path: "/api"}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conns {
		wg.Go(func() {
			var lat []time.Duration
			var bad int64
			for i := w; ctx.Err() == nil; i += conns {
				t := time.Now()
				code, err := get(ctx, cl, url, tokens[i%len(tokens)])
				switch {
				case ctx.Err() != nil: // cut short by the end of the phase
				case err != nil || code != http.StatusOK:
					bad++
				default:
					lat = append(lat, time.Since(t))
				}
			}
			mu.Lock()
			s.lat = append(s.lat, lat...)
			s.ok += int64(len(lat))
			s.failed += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	s.elapsed = time.Since(start)
	slices.Sort(s.lat)
	return s
}

// sendJunk sends n unique made-up tokens from senders workers, each token
// once, and counts the answers by status (0 for a transport error).
func sendJunk(ctx context.Context, cl *http.Client, url string, n, senders int) map[int]int {
	var run [9]byte
	_, _ = rand.Read(run[:])
	prefix := "junk-" + base64.RawURLEncoding.EncodeToString(run[:]) + "-"
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range senders {
		wg.Go(func() {
			mine := map[int]int{}
			for i := w; i < n && ctx.Err() == nil; i += senders {
				code, _ := get(ctx, cl, url, fmt.Sprint(prefix, i))
				mine[code]++
			}
			mu.Lock()
			for code, k := range mine {
				statuses[code] += k
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses
}

// inFlight counts the resource server's calls to the authorization server
// in flight, from sending the request to receiving the answer's headers,
// and the most at once.
type inFlight struct {
	base     http.RoundTripper
	now, max atomic.Int64
}

// RoundTrip counts the call around base's.
func (c *inFlight) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.now.Add(1)
	defer c.now.Add(-1)
	for m := c.max.Load(); n > m && !c.max.CompareAndSwap(m, n); m = c.max.Load() {
	}
	return c.base.RoundTrip(r)
}

// print writes the report.
func (r *floodReport) print(w io.Writer) {
	o := r.opts
	fw := o.framework
	if fw == "" {
		fw = "net/http"
	}
	fmt.Fprintf(w, "loadtest -flood %s: cache %d, %d valid tokens cached, %d junk tokens from %d senders, the authorization server answering in %v, %d connections of valid traffic, %d CPU, %s %s/%s\n",
		fw, o.cacheSize, o.valid, o.junk, o.senders, o.asDelay, o.validConns, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	codes := make([]int, 0, len(r.junkStatus))
	for code := range r.junkStatus {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	fmt.Fprintf(w, "\njunk: %d requests in %v, answered", o.junk, r.floodTime.Round(time.Millisecond))
	for _, code := range codes {
		fmt.Fprintf(w, " %d x%d", code, r.junkStatus[code])
	}
	fmt.Fprintf(w, "\nauthorization-server calls per junk request: %.2f (%d calls)\n", float64(r.junkCalls)/float64(o.junk), r.junkCalls)
	fmt.Fprintf(w, "most authorization-server calls in flight at once: %d (limit %d)\n", r.maxInFlight, r.maxCalls)
	f := &r.fresh
	fmt.Fprintf(w, "valid tokens not cached yet, one at a time during the flood: %d of %d answered 200 (p50 %v, p99 %v), %d refused 503\n",
		f.s.ok, f.sent, f.s.percentile(0.50).Round(time.Microsecond), f.s.percentile(0.99).Round(time.Microsecond), f.refused)
	fmt.Fprintf(w, "valid tokens evicted (asked about again): %d of %d, in %d calls\n\n", r.evicted, o.valid, r.validCalls)
	fmt.Fprintln(w, "| valid traffic | requests | p50 | p99 | failed |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, row := range []struct {
		name string
		s    *routeStats
	}{{"without the flood", r.quiet}, {"during the flood", r.during}} {
		fmt.Fprintf(w, "| %s | %d | %v | %v | %d |\n", row.name, row.s.ok,
			row.s.percentile(0.50).Round(time.Microsecond), row.s.percentile(0.99).Round(time.Microsecond), row.s.failed)
	}
}

// freshStats is what sendFresh measured.
type freshStats struct {
	s       routeStats // the 200 answers
	sent    int64
	refused int64 // 503 answers
}

// sendFresh sends valid tokens never seen before, one at a time from one
// connection, until ctx ends: each needs a call to the authorization
// server, through the call limit that the junk fills.
func sendFresh(ctx context.Context, cl *http.Client, url string, mint func() string) freshStats {
	var f freshStats
	for ctx.Err() == nil {
		tok := mint()
		t := time.Now()
		code, err := get(ctx, cl, url, tok)
		switch {
		case ctx.Err() != nil:
			continue
		case err == nil && code == http.StatusOK:
			f.s.lat = append(f.s.lat, time.Since(t))
			f.s.ok++
		case err == nil && code == http.StatusServiceUnavailable:
			f.refused++
		default:
			f.s.failed++
		}
		f.sent++
	}
	slices.Sort(f.s.lat)
	return f
}
