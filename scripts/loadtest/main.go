package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func main() {
	var o options
	flag.IntVar(&o.conns, "c", 64, "connections (one worker each); with -flood, junk senders")
	flag.DurationVar(&o.duration, "d", 10*time.Second, "load per route, split over the rounds; with -flood, the valid traffic alone before the flood")
	flag.IntVar(&o.rounds, "rounds", 2, "rounds; each runs both routes, alternating which goes first")
	fw := flag.String("f", "net/http", "framework: "+strings.Join(frameworks, ", ")+", a comma list, or all")
	fo := floodOptions{}
	doFlood := flag.Bool("flood", false, "send junk tokens instead: -c senders, -d of valid traffic alone first")
	senders := flag.Int("senders", 0, "with -flood: junk senders, one connection each (overrides -c)")
	flag.IntVar(&fo.maxCalls, "max-calls", 0, "with -flood: OIDC_RS_MAX_CONCURRENT_CALLS (0: core's default)")
	flag.IntVar(&fo.cacheSize, "cache", 5000, "with -flood: OIDC_RS_CACHE_SIZE")
	flag.IntVar(&fo.valid, "valid", 1000, "with -flood: valid tokens cached before the flood")
	flag.IntVar(&fo.junk, "junk", 20_000, "with -flood: unique junk tokens, each sent once")
	flag.IntVar(&fo.validConns, "vc", 8, "with -flood: connections sending cached valid tokens")
	flag.DurationVar(&fo.asDelay, "as-delay", 2*time.Millisecond, "with -flood: how long the authorization server takes to answer")
	flag.Parse()
	fws, err := parseFrameworks(*fw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	if *doFlood {
		fo.senders, fo.quiet = o.conns, o.duration
		if *senders > 0 {
			fo.senders = *senders
		}
		runFlood(fws, fo)
		return
	}
	for i, f := range fws {
		o.framework = f
		rep, err := load(context.Background(), o)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		if i > 0 {
			fmt.Println()
		}
		rep.print(os.Stdout)
	}
}

// runFlood runs the flood on each framework in turn, and exits on error.
func runFlood(fws []string, fo floodOptions) {
	for i, f := range fws {
		fo.framework = f
		rep, err := flood(context.Background(), fo)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		if i > 0 {
			fmt.Println()
		}
		rep.print(os.Stdout)
	}
}

// options are the command's flags.
type options struct {
	framework string // one of frameworks; "" is net/http
	conns     int
	duration  time.Duration
	rounds    int
}

// routeStats is what one route measured over all rounds.
type routeStats struct {
	path    string
	ok      int64           // 200 answers
	failed  int64           // other statuses and transport errors
	elapsed time.Duration   // sum of the rounds' wall times
	lat     []time.Duration // every 200 answer's latency
	perRnd  []float64       // requests/s of each round
}

func (s *routeStats) rps() float64 { return float64(s.ok) / s.elapsed.Seconds() }

// percentile returns the p-th percentile of the sorted latencies.
func (s *routeStats) percentile(p float64) time.Duration {
	if len(s.lat) == 0 {
		return 0
	}
	return s.lat[min(len(s.lat)-1, int(p*float64(len(s.lat))))]
}

// report is the outcome of load.
type report struct {
	opts          options
	open, api     *routeStats
	newConns      int64 // TCP connections the server accepted
	introspection int64 // calls the authorization server received
}

// load runs the whole test: servers up, one warm-up request per route
// (which caches the token), the rounds, servers down.
func load(ctx context.Context, o options) (*report, error) {
	if o.conns < 1 || o.rounds < 1 || o.duration <= 0 {
		return nil, errors.New("-c and -rounds must be at least 1, -d positive")
	}
	as, err := oidcrstest.New(oidcrstest.Config{TokenTTL: 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	defer as.Close()
	token := as.Mint(nil)
	st := as.Settings("")
	st.CacheTTL = time.Hour
	rs, err := core.New(st)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rs.Close() }()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var newConns atomic.Int64
	srv := &http.Server{Handler: router(o.framework, rs), ReadHeaderTimeout: 5 * time.Second,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				newConns.Add(1)
			}
		}}
	go func() { _ = srv.Serve(ln) }()
	defer func() { _ = srv.Close() }()

	tr := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns,
		DisableCompression: true, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	base := "http://" + ln.Addr().String()
	rep := &report{opts: o, open: &routeStats{path: "/open"}, api: &routeStats{path: "/api"}}
	for _, s := range []*routeStats{rep.open, rep.api} {
		if code, err := get(ctx, cl, base+s.path, token); err != nil || code != http.StatusOK {
			return nil, fmt.Errorf("warm-up GET %s: status %d, %v", s.path, code, err)
		}
	}

	per := o.duration / time.Duration(o.rounds)
	for r := range o.rounds {
		order := []*routeStats{rep.open, rep.api}
		if r%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, s := range order {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			runRound(ctx, cl, base+s.path, token, o.conns, per, s)
		}
	}
	for _, s := range []*routeStats{rep.open, rep.api} {
		slices.Sort(s.lat)
	}
	rep.newConns = newConns.Load()
	rep.introspection = as.IntrospectionCalls()
	return rep, nil
}

// runRound sends requests to url from conns workers until d has passed,
// and adds what they measured to s.
func runRound(ctx context.Context, cl *http.Client, url, token string, conns int, d time.Duration, s *routeStats) {
	start := time.Now()
	deadline := start.Add(d)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var ok, failed int64
	for range conns {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1024)
			var bad int64
			for t := time.Now(); t.Before(deadline) && ctx.Err() == nil; {
				code, err := get(ctx, cl, url, token)
				now := time.Now()
				if err != nil || code != http.StatusOK {
					bad++
				} else {
					lat = append(lat, now.Sub(t))
				}
				t = now
			}
			mu.Lock()
			s.lat = append(s.lat, lat...)
			ok += int64(len(lat))
			failed += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	s.ok += ok
	s.failed += failed
	s.elapsed += elapsed
	s.perRnd = append(s.perRnd, float64(ok)/elapsed.Seconds())
}

// get sends one GET with the bearer token and reads the whole answer, so
// that the connection goes back to the pool.
func get(ctx context.Context, cl *http.Client, url, token string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := cl.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, err
}

// print writes the report.
func (r *report) print(w io.Writer) {
	o := r.opts
	fw := o.framework
	if fw == "" {
		fw = "net/http"
	}
	fmt.Fprintf(w, "loadtest %s: %d connections, HTTP/1.1 keep-alive on loopback, %d rounds x %v per route, %d CPU, %s %s/%s\n",
		fw, o.conns, o.rounds, o.duration/time.Duration(o.rounds), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for i := range r.open.perRnd {
		fmt.Fprintf(w, "round %d: /open %.0f req/s, /api %.0f req/s, /api / /open %.1f %%\n",
			i+1, r.open.perRnd[i], r.api.perRnd[i], 100*r.api.perRnd[i]/r.open.perRnd[i])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| route | requests | req/s | p50 | p99 | failed |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, s := range []*routeStats{r.open, r.api} {
		fmt.Fprintf(w, "| %s | %d | %.0f | %v | %v | %d |\n", s.path, s.ok, s.rps(),
			s.percentile(0.50).Round(time.Microsecond), s.percentile(0.99).Round(time.Microsecond), s.failed)
	}
	ratio := r.api.rps() / r.open.rps()
	verdict := "met"
	if ratio < 0.9 {
		verdict = "missed"
	}
	fmt.Fprintf(w, "\nprotected / unprotected throughput: %.1f %% (target >= 90 %%: %s)\n", 100*ratio, verdict)
	fmt.Fprintf(w, "TCP connections accepted: %d; authorization-server calls: %d\n", r.newConns, r.introspection)
}
