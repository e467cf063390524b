//go:build unix

package examples_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestExamplesMetrics runs each example with METRICS=1 against a fake
// authorization server; reads GET /metrics before any request, where the
// introspection endpoint's health gauge already reads 1; makes a few
// requests (the gRPC example's through WhoAmI; the others' also to
// /api/admin, whose scope rule refuses the token), and reads GET /metrics
// again: OTel's Prometheus exporter shows the oidcrs observer's counters,
// the route's refusal among them. Without METRICS, /metrics is the
// framework's 404 (checkRoutes and checkGRPC check it).
func TestExamplesMetrics(t *testing.T) {
	bin := buildExamples(t)
	for _, name := range []string{"gin", "echo", "echov5", "chi", "grpc"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr, grpcAddr := freeAddr(t), freeAddr(t)
			as, env := externalAS(t, oidcrstest.JSON, addr)
			env["METRICS"], env["GRPC_ADDR"] = "1", grpcAddr
			p := start(t, bin+"/"+name, env)
			base := "http://" + addr
			p.waitFor(t, "Listening on "+base)
			checkHealthyAtStart(t, base)
			tok := as.Mint(nil)
			for range 3 { // one miss, then hits
				if name == "grpc" {
					got := callWhoAmI(t, dialGRPC(t, grpcAddr), tok)
					require.Equal(t, codes.OK, got.code, got.message)
				} else {
					resp, body := get(t, base+"/api/me", tok)
					require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
				}
			}
			if name != "grpc" {
				resp, _ := get(t, base+"/api/me", "unknown-token")
				require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
				resp, body := get(t, base+"/api/admin", tok) // the token has no admin scope
				require.Equal(t, http.StatusForbidden, resp.StatusCode, string(body))
			}
			body := checkMetrics(t, base)
			// The route's refusal is counted as such, once.
			refused := regexp.MustCompile(`(?m)^oidcrs_requests_total\{[^}]*http_response_status_code="403"[^}]*outcome="insufficient_scope"[^}]*\} 1$`)
			if name == "grpc" {
				assert.NotRegexp(t, refused, body)
			} else {
				assert.Regexp(t, refused, body)
			}
			p.stop(t)
		})
	}
}

// checkHealthyAtStart reads base's /metrics before any request: the
// introspection endpoint's health gauge exists and reads 1.
func checkHealthyAtStart(t *testing.T, base string) {
	t.Helper()
	resp, body := get(t, base+"/metrics", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_endpoint_healthy\{[^}]*endpoint="introspection"[^}]*\} 1$`), string(body))
	assert.NotContains(t, string(body), "oidcrs_requests_total", "no request yet")
}

// checkMetrics reads base's /metrics: at least one decision ok, and the
// cache lookups; it returns the metrics.
func checkMetrics(t *testing.T, base string) string {
	t.Helper()
	resp, body := get(t, base+"/metrics", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_requests_total\{[^}]*outcome="ok"[^}]*\} [1-9]`), string(body))
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_cache_lookups_total\{[^}]*result="hit"[^}]*\} [1-9]`), string(body))
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_cache_lookups_total\{[^}]*result="miss"[^}]*\} [1-9]`), string(body))
	return string(body)
}

// checkNoMetrics checks that, without METRICS, GET /metrics is not the
// metrics: the framework's answer to an unknown route.
func checkNoMetrics(t *testing.T, base string) {
	t.Run("no metrics", func(t *testing.T) {
		resp, body := get(t, base+"/metrics", "")
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		assert.NotContains(t, string(body), "oidcrs_")
	})
}
