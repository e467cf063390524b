//go:build unix

package examples_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// TestExamplesShareOneCache runs the examples as replicas of one API,
// configured only by environment variables, with OIDC_RS_CACHE_URL on one
// real redis-server: a token sent to all of them (the gRPC one through
// WhoAmI) is introspected once.
func TestExamplesShareOneCache(t *testing.T) {
	bin := buildExamples(t)
	redis := redistest.Start(t)
	as := oidcrstest.Start(t, oidcrstest.Config{})
	const secret = "examples-cache-secret-0123456789abcdef"
	var bases []string
	grpcAddr := freeAddr(t)
	for _, name := range []string{"gin", "echo", "echov5", "chi", "grpc"} {
		addr := freeAddr(t)
		p := start(t, bin+"/"+name, map[string]string{
			"ADDR":                           addr,
			"GRPC_ADDR":                      grpcAddr, // the grpc example's
			"OIDC_RS_BACKEND_CLASS":          "json",
			"OIDC_RS_CLIENT_ID":              oidcrstest.DefaultClientID,
			"OIDC_RS_CLIENT_SECRET":          oidcrstest.DefaultClientSecret,
			"OIDC_OP_URL":                    as.URL,
			"OIDC_OP_INTROSPECTION_ENDPOINT": as.IntrospectionURL(),
			"OIDC_RS_SCOPES":                 "groups",
			"OIDC_RS_CACHE_URL":              redis.URL(),
			"OIDC_RS_CACHE_SECRET":           secret,
			// Wide: the single introspection counted below holds only
			// while no healthy Redis call times out (a replica whose call
			// fails asks the AS alone) and no replica gives up waiting on
			// another's lock (OIDC_TIMEOUT), on however busy a machine.
			"OIDC_RS_CACHE_TIMEOUT": "10",
			"OIDC_TIMEOUT":          "60",
		})
		out := p.waitFor(t, "Listening on http://"+addr)
		assert.NotContains(t, strings.Join(out, "\n"), secret)
		bases = append(bases, "http://"+addr)
		t.Cleanup(func() {
			p.stop(t) // then stderr is complete
			assert.Contains(t, requireStartLine(t, p.errors()), "shared_cache="+redis.URL())
			assert.NotContains(t, p.errors(), secret)
		})
	}
	bases = bases[:len(bases)-1] // the grpc example is called over gRPC
	conn := dialGRPC(t, grpcAddr)
	tok := as.Mint(nil)
	for range 3 {
		for _, base := range bases {
			resp, body := get(t, base+"/api/me", tok)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		}
		got := callWhoAmI(t, conn, tok)
		require.Equal(t, codes.OK, got.code, got.message)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "five example processes, one introspection")

	revoked := as.Mint(nil)
	as.Revoke(revoked)
	for _, base := range bases {
		resp, _ := get(t, base+"/api/me", revoked)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	require.Equal(t, codes.Unauthenticated, callWhoAmI(t, conn, revoked).code)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the rejection is shared too")
}
