package peers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/rs"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// RFC 7662 introspection of an opaque token: oidcrs and
// zitadel/oidc/v3/pkg/client/rs, against one fake authorization server on
// loopback (JSON mode) and through one shared http.Client, so both sides
// use the same connection pool.
//
//	Introspection/oidcrs_cached     oidcrs on a repeated token: a verdict-cache hit
//	Introspection/oidcrs_uncached   oidcrs with DisableCache (OIDC_RS_CACHE_TTL=0): one call per request
//	Introspection/zitadel           rs.Introspect + the checks of an equivalent middleware (no cache)
//	IntrospectionPair               zitadel, oidcrs_uncached and the raw floor (the POST and a JSON
//	                                decode) rotating request by request; one run is one round, its
//	                                zitadel/oidcrs metric the ratio of times
//
// Each reports calls/1000req: introspection requests received by the
// authorization server per 1,000 requests. Run with -count 10 and feed the
// output to ratio.sh for the per-round ratios and their median.

type introspectionRig struct {
	as     *oidcrstest.Server
	client *http.Client
	hdr    []string
}

func newIntrospectionRig(b *testing.B) *introspectionRig {
	as := oidcrstest.Start(b, oidcrstest.Config{})
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &introspectionRig{as: as, client: client, hdr: []string{"Bearer " + as.Mint(nil)}}
}

// oidcrs returns a ResourceServer on the rig's client, its cache on or off.
func (r *introspectionRig) oidcrs(b *testing.B, cache bool) func(context.Context, []string) error {
	st := r.as.Settings("")
	st.DisableCache, st.CacheTTL = !cache, time.Hour
	s, err := core.New(st, core.WithHTTPClient(r.client))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return func(ctx context.Context, hdr []string) error {
		_, err := s.Authenticate(ctx, hdr)
		return err
	}
}

// zitadel returns zitadel's resource server on the rig's client, wrapped
// as a middleware would wrap it. The fake server's discovery has no
// token_endpoint, which zitadel requires even to introspect, so the
// endpoints are given statically (the token endpoint is never called).
func (r *introspectionRig) zitadel(b *testing.B) func(context.Context, []string) error {
	z, err := rs.NewResourceServerClientCredentials(context.Background(), r.as.URL,
		oidcrstest.DefaultClientID, oidcrstest.DefaultClientSecret,
		rs.WithClient(r.client), rs.WithStaticEndpoints(r.as.URL+"/token", r.as.IntrospectionURL()))
	if err != nil {
		b.Fatal(err)
	}
	return func(ctx context.Context, hdr []string) error {
		_, err := zitadelAuthenticate(ctx, z, hdr, oidcrstest.DefaultScope)
		return err
	}
}

var errRejected = errors.New("rejected")

// zitadelAuthenticate is what a middleware around zitadel's rs package
// does with a request: take the bearer token, introspect it, require
// active and the scope. zitadel checks neither exp nor iss itself.
func zitadelAuthenticate(ctx context.Context, z rs.ResourceServer, hdr []string, scope string) (*oidc.IntrospectionResponse, error) {
	if len(hdr) != 1 || len(hdr[0]) <= 7 || !strings.EqualFold(hdr[0][:7], "Bearer ") {
		return nil, errRejected
	}
	resp, err := rs.Introspect[*oidc.IntrospectionResponse](ctx, z, hdr[0][7:])
	if err != nil {
		return nil, err
	}
	if !resp.Active {
		return nil, errRejected
	}
	for _, s := range resp.Scope {
		if s == scope {
			return resp, nil
		}
	}
	return nil, errRejected
}

func BenchmarkIntrospection(b *testing.B) {
	r := newIntrospectionRig(b)
	run := func(auth func(context.Context, []string) error) func(*testing.B) {
		return func(b *testing.B) {
			ctx := context.Background()
			if err := auth(ctx, r.hdr); err != nil {
				b.Fatal(err)
			}
			before := r.as.IntrospectionCalls()
			b.ReportAllocs()
			for b.Loop() {
				if err := auth(ctx, r.hdr); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(r.as.IntrospectionCalls()-before)*1000/float64(b.N), "calls/1000req")
		}
	}
	b.Run("oidcrs_cached", run(r.oidcrs(b, true)))
	b.Run("oidcrs_uncached", run(r.oidcrs(b, false)))
	b.Run("zitadel", run(r.zitadel(b)))
}

// rawFloor is the least any RFC 7662 resource server does per request:
// the same POST through the rig's client, and a JSON decode of the answer
// into a map. No check, no cache.
func (r *introspectionRig) rawFloor(b *testing.B) func(context.Context, []string) error {
	st := r.as.Settings("")
	return func(ctx context.Context, hdr []string) error {
		form := url.Values{"token": {hdr[0][len("Bearer "):]}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.IntrospectionEndpoint, strings.NewReader(form.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(st.ClientID, st.ClientSecret)
		resp, err := r.client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			return errRejected
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var m map[string]any
		return dec.Decode(&m)
	}
}

// BenchmarkIntrospectionPair times zitadel, oidcrs uncached and the raw
// floor request by request, rotating which goes first, so that all three
// see the same machine. ns/op is the three; zitadel-ns/op, oidcrs-ns/op
// and floor-ns/op each side; zitadel/oidcrs their ratio (above 1: oidcrs
// is faster), oidcrs/floor and zitadel/floor each side over the floor.
// zitadel/floor bounds zitadel/oidcrs for any library that makes the POST
// and decodes the answer.
func BenchmarkIntrospectionPair(b *testing.B) {
	r := newIntrospectionRig(b)
	ctx := context.Background()
	sides := [3]func(context.Context, []string) error{r.zitadel(b), r.oidcrs(b, false), r.rawFloor(b)}
	var spent [3]time.Duration
	for _, f := range sides {
		if err := f(ctx, r.hdr); err != nil {
			b.Fatal(err)
		}
	}
	before := r.as.IntrospectionCalls()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		for j := range 3 {
			side := (i + j) % 3
			t0 := time.Now()
			if err := sides[side](ctx, r.hdr); err != nil {
				b.Fatal(err)
			}
			spent[side] += time.Since(t0)
		}
		i++
	}
	n := float64(b.N)
	b.ReportMetric(float64(spent[0].Nanoseconds())/n, "zitadel-ns/op")
	b.ReportMetric(float64(spent[1].Nanoseconds())/n, "oidcrs-ns/op")
	b.ReportMetric(float64(spent[2].Nanoseconds())/n, "floor-ns/op")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "zitadel/oidcrs")
	b.ReportMetric(float64(spent[1])/float64(spent[2]), "oidcrs/floor")
	b.ReportMetric(float64(spent[0])/float64(spent[2]), "zitadel/floor")
	b.ReportMetric(float64(r.as.IntrospectionCalls()-before)*1000/(3*n), "calls/1000req")
}
