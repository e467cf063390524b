package suite_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// The AS paths a resource server may call, as counted by pathCounter.
const (
	jwksPath          = "/jwks"
	introspectionPath = "/token/introspection"
)

// The fixed error_description texts these cases expect.
const (
	descWrongResource = "The access token was not issued for this resource"
	descNotAccessJWT  = "The token is not a JWT access token of an accepted typ."
)

// otherResource is a resource indicator the AS issues JWT access tokens
// for, but that no resource server of these tests is.
const otherResource = "https://other.api.example/"

// resourceFor is the resource indicator (OIDC_RS_RESOURCE) whose JWT
// access tokens the AS signs with alg.
func resourceFor(alg string) string { return "https://" + strings.ToLower(alg) + ".api.example/" }

// resourceServers gives the AS one resource per signing alg, plus
// otherResource, each accepting the scopes groups and admin.
func resourceServers() map[string]asproc.ResourceServer {
	m := map[string]asproc.ResourceServer{otherResource: {Scope: "groups admin", Alg: "RS256"}}
	for _, alg := range signingAlgs {
		m[resourceFor(alg)] = asproc.ResourceServer{Scope: "groups admin", Alg: alg}
	}
	return m
}

// accessTokenEnv is the environment of a resource server checking the
// AS's RFC 9068 JWT access tokens for resourceFor(alg) locally, with the
// reference's variable names plus the new ones; extra entries override.
func accessTokenEnv(as *asproc.AS, alg string, extra map[string]string) map[string]string {
	e := map[string]string{
		"OIDC_RS_BACKEND_CLASS": "jwt-access-token",
		"OIDC_OP_URL":           as.URL,
		"OIDC_OP_JWKS_ENDPOINT": as.JWKSURL(),
		"OIDC_RS_RESOURCE":      resourceFor(alg),
		"OIDC_RS_SIGNING_ALGO":  alg,
		"OIDC_RS_SCOPES":        rsScopes,
		"OIDC_TIMEOUT":          "60", // generous, as in rsClient.env
	}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// pathCounter is a RoundTripper that counts a resource server's calls to
// the AS by URL path.
type pathCounter struct {
	next  http.RoundTripper
	mu    sync.Mutex
	paths map[string]int
}

func (c *pathCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.paths[r.URL.Path]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// calls returns the number of calls to path so far.
func (c *pathCounter) calls(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.paths[path]
}

// total returns the number of calls to the AS so far.
func (c *pathCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.paths {
		n += v
	}
	return n
}

// countedRS is newRS with its calls to the AS counted: a client of its
// own, with a timeout, injected with core.WithHTTPClient.
func countedRS(t *testing.T, env map[string]string) (*core.ResourceServer, *pathCounter) {
	t.Helper()
	s, err := core.SettingsFromEnv(func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	require.NoError(t, err)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	c := &pathCounter{next: tr, paths: map[string]int{}}
	rs, err := core.New(s, core.WithHTTPClient(&http.Client{Transport: c, Timeout: s.Timeout}))
	require.NoError(t, err)
	return rs, c
}

// accessToken runs the client_credentials grant as the SP for resource
// and returns the token: a JWT access token for the AS's resources.
func accessToken(t *testing.T, as *asproc.AS, scope, resource string) string {
	t.Helper()
	ctx := context.Background()
	defer throttle(ctx)()
	tok, err := as.ClientCredentialsFor(ctx, spID, spSecret, scope, resource)
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	return tok
}

// jwsSegment decodes the n-th segment (0 header, 1 payload) of a compact
// JWS as a JSON object.
func jwsSegment(t *testing.T, token string, n int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3, "a compact JWS")
	raw, err := base64.RawURLEncoding.DecodeString(parts[n])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

// withHeader returns token with its protected header replaced by h and its
// payload and signature kept (the signature no longer matches).
func withHeader(t *testing.T, token string, h map[string]any) string {
	t.Helper()
	b, err := json.Marshal(h)
	require.NoError(t, err)
	_, rest, _ := strings.Cut(token, ".")
	return base64.RawURLEncoding.EncodeToString(b) + "." + rest
}

// assertDescription checks the JSON body's error_description.
func assertDescription(t *testing.T, r result, desc string) {
	t.Helper()
	var b struct {
		Description string `json:"error_description"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &b), "body: %s", r.body)
	assert.Equal(t, desc, b.Description)
}

// bulkClient sends the repeated requests of the load cases: they never
// reach the AS, so they take no inflight slot.
var bulkClient = &http.Client{Timeout: 60 * time.Second}

// callMany sends n GET /me with token to baseURL and returns how many
// were answered 200.
func callMany(t *testing.T, baseURL, token string, n int) int {
	t.Helper()
	ok := 0
	for range n {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, baseURL+"/me", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := bulkClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			ok++
		}
	}
	return ok
}
