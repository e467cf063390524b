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
// authorization server, makes a few requests (the gRPC example's through
// WhoAmI), and reads GET /metrics: OTel's Prometheus exporter shows the
// oidcrs observer's counters. Without METRICS, /metrics is the
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
			}
			checkMetrics(t, base)
			p.stop(t)
		})
	}
}

// checkMetrics reads base's /metrics: at least one decision ok, and the
// cache lookups.
func checkMetrics(t *testing.T, base string) {
	t.Helper()
	resp, body := get(t, base+"/metrics", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/plain")
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_requests_total\{[^}]*outcome="ok"[^}]*\} [1-9]`), string(body))
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_cache_lookups_total\{[^}]*result="hit"[^}]*\} [1-9]`), string(body))
	assert.Regexp(t, regexp.MustCompile(`(?m)^oidcrs_cache_lookups_total\{[^}]*result="miss"[^}]*\} [1-9]`), string(body))
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
