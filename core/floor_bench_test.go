package core_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// The floor of an uncached introspection (issue 15, target 6): the same
// POST through net/http, with a client built as New builds its own, plus
// a JSON decode of the answer into a map. Whatever oidcrs does besides
// (the answer's checks, the compact TokenInfo, the cache, the collapse of
// concurrent calls) is the difference.

var rawSink map[string]any

// rawIntrospect is that floor: one POST and one decode.
func rawIntrospect(b *testing.B, client *http.Client, st core.Settings, token string) map[string]any {
	form := url.Values{"token": {token}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, st.IntrospectionEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(st.ClientID, st.ClientSecret)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkIntrospectJSONPair alternates, request by request, the raw
// floor and oidcrs uncached (OIDC_RS_CACHE_TTL=0) against one fake
// authorization server answering the same prebuilt body, so that both see
// the machine at the same moment. It reports each side's time per request
// and uncached/floor (target <= 1.10).
func BenchmarkIntrospectJSONPair(b *testing.B) {
	p := perfSetup{edit: func(s *core.Settings) { s.DisableCache = true }}
	as, rs := startPerf(b, p)
	body, ctype := benchBody(b, as, p)
	as.SetAnswerFunc(func(string, map[string]any) (int, string, []byte) { return http.StatusOK, ctype, body })
	st := rs.Settings()
	client, err := core.NewHTTPClient(st)
	if err != nil {
		b.Fatal(err)
	}
	ctx, hdr := context.Background(), "Bearer "+benchOpaqueToken
	if _, err := authenticate(rs, ctx, hdr); err != nil {
		b.Fatal(err)
	}
	rawIntrospect(b, client, st, benchOpaqueToken)
	var floor, ours time.Duration
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range 2 {
			t0 := time.Now()
			if (i+j)%2 == 0 {
				if _, err := authenticate(rs, ctx, hdr); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(t0)
			} else {
				rawSink = rawIntrospect(b, client, st, benchOpaqueToken)
				floor += time.Since(t0)
			}
		}
	}
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "floor-ns/req")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "oidcrs-ns/req")
	b.ReportMetric(float64(ours)/float64(floor), "uncached/floor")
}
