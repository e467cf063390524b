//go:build unix

package examples_test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// TestExamplesShareEveryDeployment runs two gin examples as replicas on
// each form of OIDC_RS_CACHE_URL a deployment uses, configured only by
// environment variables: a Redis Cluster (addr=), the URL of one of its
// nodes (which the store recognises as a Cluster), Sentinel (master_name=),
// a unix socket, and TLS with a private CA and a client certificate
// (OIDC_RS_CACHE_TLS_*). Each time, a token sent to both is introspected
// once. The one-server redis:// form is TestExamplesShareOneCache's.
func TestExamplesShareEveryDeployment(t *testing.T) {
	bin := buildExamples(t)
	t.Run("cluster", func(t *testing.T) {
		t.Parallel()
		c := redistest.StartCluster(t, redistest.ClusterOptions{})
		shareThroughExamples(t, bin, map[string]string{"OIDC_RS_CACHE_URL": c.URL()})
		t.Run("one node's URL", func(t *testing.T) {
			shareThroughExamples(t, bin, map[string]string{"OIDC_RS_CACHE_URL": "redis://" + c.Addrs()[0]})
		})
	})
	t.Run("sentinel", func(t *testing.T) {
		t.Parallel()
		s := redistest.StartSentinel(t, redistest.SentinelOptions{})
		shareThroughExamples(t, bin, map[string]string{"OIDC_RS_CACHE_URL": s.URL()})
	})
	t.Run("unix socket", func(t *testing.T) {
		t.Parallel()
		sock := filepath.Join(t.TempDir(), "redis.sock")
		redistest.Start(t, redistest.WithConfig(`unixsocket "`+sock+`"`, "unixsocketperm 700"))
		shareThroughExamples(t, bin, map[string]string{"OIDC_RS_CACHE_URL": "unix://" + sock + "?db=0"})
	})
	t.Run("tls", func(t *testing.T) {
		t.Parallel()
		s := redistest.StartTLS(t)
		files := s.TLSFiles()
		shareThroughExamples(t, bin, map[string]string{
			"OIDC_RS_CACHE_URL":           s.URL(),
			"OIDC_RS_CACHE_TLS_CA_FILE":   files.CAFile,
			"OIDC_RS_CACHE_TLS_CERT_FILE": files.CertFile,
			"OIDC_RS_CACHE_TLS_KEY_FILE":  files.KeyFile,
		})
	})
}

// shareThroughExamples starts two gin examples with cache, a fresh fake
// authorization server, and checks that a token sent to both, three times
// each, costs one introspection.
func shareThroughExamples(t *testing.T, bin string, cache map[string]string) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	const secret = "examples-cache-secret-0123456789abcdef"
	var bases []string
	for range 2 {
		addr := freeAddr(t)
		env := map[string]string{
			"ADDR":                           addr,
			"OIDC_RS_BACKEND_CLASS":          "json",
			"OIDC_RS_CLIENT_ID":              oidcrstest.DefaultClientID,
			"OIDC_RS_CLIENT_SECRET":          oidcrstest.DefaultClientSecret,
			"OIDC_OP_URL":                    as.URL,
			"OIDC_OP_INTROSPECTION_ENDPOINT": as.IntrospectionURL(),
			"OIDC_RS_SCOPES":                 "groups",
			"OIDC_RS_CACHE_SECRET":           secret,
			// Wide, as in TestExamplesShareOneCache: the count below holds
			// only while no healthy Redis call times out.
			"OIDC_RS_CACHE_TIMEOUT": "10",
			"OIDC_TIMEOUT":          "60",
		}
		for k, v := range cache {
			env[k] = v
		}
		p := start(t, bin+"/gin", env)
		p.waitFor(t, "Listening on http://"+addr)
		bases = append(bases, "http://"+addr)
		t.Cleanup(func() {
			p.stop(t)
			assert.NotContains(t, p.errors(), secret)
			assert.NotContains(t, p.errors(), "level=WARN", "no store failure, and no go-redis complaint")
		})
	}
	tok := as.Mint(nil)
	for range 3 {
		for _, base := range bases {
			resp, body := get(t, base+"/api/me", tok)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		}
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "two example processes, one introspection")
}
