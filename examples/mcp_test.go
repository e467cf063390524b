//go:build unix

package examples_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/mcptest"
)

// TestMCPExample runs examples/mcp as a process against a fake
// authorization server configured by the reference's variables only
// (OIDC_RS_RESOURCE left to its default, http://<ADDR>/mcp), and talks to
// it with the go-sdk's own client.
func TestMCPExample(t *testing.T) {
	bin := buildExamples(t) + "/mcp"
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			testMCP(t, bin, mode)
		})
	}
}

func testMCP(t *testing.T, bin string, mode oidcrstest.Mode) {
	addr := freeAddr(t)
	base := "http://" + addr
	endpoint := base + "/mcp"
	as, env := externalAS(t, mode, addr)
	env["METRICS"], env["LOG_LEVEL"] = "1", "debug"
	p := start(t, bin, env)
	p.waitFor(t, "Listening on "+base)
	mint := func(scope string) string { return as.Mint(map[string]any{"scope": scope, "aud": endpoint}) }
	good := mint("groups mcp")
	sent := []string{good}

	for _, rev := range []struct{ name, pin, want string }{
		{"2025-11-25: initialize and a session", "2025-11-25", "2025-11-25"},
		{"2026-07-28: no session, the client's own choice", "", "2026-07-28"},
	} {
		t.Run(rev.name, func(t *testing.T) {
			rec := mcptest.NewRecorder(good)
			session := connectMCPWith(t, endpoint, rec, rev.pin, false) // with its event stream, as clients do
			defer session.Close()
			require.Equal(t, rev.want, session.InitializeResult().ProtocolVersion, "the revision negotiated")
			assert.Equal(t, "oidcrs-example", session.InitializeResult().ServerInfo.Name)
			tools, err := session.ListTools(t.Context(), nil)
			require.NoError(t, err)
			require.Len(t, tools.Tools, 1)
			assert.Equal(t, "whoami", tools.Tools[0].Name)
			res, err := session.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
			require.NoError(t, err)
			require.False(t, res.IsError, "%v", res.Content)
			b, err := json.Marshal(res.StructuredContent)
			require.NoError(t, err)
			assert.JSONEq(t, `{"sub":"user-1","scopes":["groups","mcp"],"client_id":"sp-client"}`, string(b))
			last := rec.Last(t)
			assert.Equal(t, http.StatusOK, last.Status)
			assert.Equal(t, rev.want, last.Version, "the revision on the wire")
			assert.Equal(t, session.ID(), last.Session)
			assert.Equal(t, rev.want == "2025-11-25", session.ID() != "", "a session only before 2026-07-28")

			// Every request is checked: a token for another resource, in
			// the middle of the session, is answered 401.
			other := as.Mint(map[string]any{"scope": "groups mcp", "aud": "https://other.example/mcp"})
			sent = append(sent, other)
			rec.SetToken(other)
			_, err = session.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
			require.Error(t, err)
			last = rec.Last(t)
			assert.Equal(t, http.StatusUnauthorized, last.Status)
			assert.Contains(t, last.Challenge, `error="invalid_token"`)
			assert.Equal(t, rev.want, last.Version)
		})
	}
	t.Run("2026-07-28 without a session: 200, 401, 403", func(t *testing.T) {
		resp, body := mcptest.NewRevisionCall(t, endpoint, good)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		assert.Contains(t, string(body), `\"sub\":\"user-1\"`)
		resp, _ = mcptest.NewRevisionCall(t, endpoint, "")
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `resource_metadata="`+base+`/.well-known/oauth-protected-resource/mcp"`)
		tok := mint("groups")
		sent = append(sent, tok)
		resp, _ = mcptest.NewRevisionCall(t, endpoint, tok)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `scope="groups mcp"`, "the scope it holds that the server needs, and the route's")
	})
	t.Run("no token: 401 pointing at the metadata", func(t *testing.T) {
		resp, _ := postInitialize(t, endpoint, "")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		m := regexp.MustCompile(`resource_metadata="([^"]+)"`).FindStringSubmatch(resp.Header.Get("WWW-Authenticate"))
		require.NotNil(t, m, resp.Header.Get("WWW-Authenticate"))
		assert.Equal(t, base+"/.well-known/oauth-protected-resource/mcp", m[1])
		resp, body := get(t, m[1], "")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var meta struct {
			Resource             string   `json:"resource"`
			AuthorizationServers []string `json:"authorization_servers"`
			ScopesSupported      []string `json:"scopes_supported"`
		}
		require.NoError(t, json.Unmarshal(body, &meta), string(body))
		assert.Equal(t, endpoint, meta.Resource)
		assert.Equal(t, []string{as.URL}, meta.AuthorizationServers)
		assert.Contains(t, meta.ScopesSupported, "mcp")
	})
	t.Run("no mcp scope: 403 with scope", func(t *testing.T) {
		tok := mint("groups")
		sent = append(sent, tok)
		resp, _ := postInitialize(t, endpoint, tok)
		require.Equal(t, http.StatusForbidden, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `scope="groups mcp"`, "the scope it holds that the server needs, and the route's")
	})
	t.Run("another resource: 401", func(t *testing.T) {
		tok := as.Mint(map[string]any{"scope": "groups mcp", "aud": "https://other.example/mcp"})
		sent = append(sent, tok)
		resp, _ := postInitialize(t, endpoint, tok)
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
	})
	t.Run("healthz", func(t *testing.T) {
		resp, body := get(t, base+"/healthz", "")
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.JSONEq(t, `{"status":"ok"}`, string(body))
	})
	checkJWKS(t, base)
	checkMetrics(t, base)
	t.Run("the authorization server down: 503", func(t *testing.T) {
		tok := mint("groups mcp") // not in the cache
		sent = append(sent, tok)
		as.SetFault(&oidcrstest.FaultDown)
		defer as.SetFault(nil)
		resp, body := postInitialize(t, endpoint, tok)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
		resp, body = mcptest.NewRevisionCall(t, endpoint, tok)
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "2026-07-28 too: %s", body)
	})

	// A session left open, its event stream (GET /mcp) too: the shutdown
	// closes it rather than waiting for it.
	stream := openStream(t, endpoint, good)
	defer stream.Close()
	p.stop(t)
	_, _ = io.Copy(io.Discard, stream) // ends: the server closed it

	stderr := p.errors()
	assert.Contains(t, requireStartLine(t, stderr), "settings.OIDC_RS_RESOURCE="+endpoint)
	secrets := append([]string{env["OIDC_RS_CLIENT_SECRET"]}, pemLines(env["OIDC_RS_PRIVATE_KEY_STR"])...)
	for name, text := range map[string]string{"stderr": stderr, "stdout": strings.Join(p.output(), "\n")} {
		t.Run("no secret or token in "+name, func(t *testing.T) {
			noLeak(t, text, secrets...)
			noLeak(t, text, sent...)
		})
	}
}

// bearer adds a token to every request of the SDK client.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// connectMCP initializes an MCP 2025-11-25 session with the go-sdk's
// client over streamable HTTP, the token on its HTTP client.
func connectMCP(t *testing.T, endpoint, token string, noStream bool) *mcp.ClientSession {
	t.Helper()
	return connectMCPWith(t, endpoint, bearer{token}, "2025-11-25", noStream)
}

// connectMCPWith connects the go-sdk's client through rt, asking for
// revision pin ("": the client's own choice, 2026-07-28 first).
func connectMCPWith(t *testing.T, endpoint string, rt http.RoundTripper, pin string, noStream bool) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c := mcp.NewClient(&mcp.Implementation{Name: "examples-test", Version: "1"}, nil)
	tr := &mcp.StreamableClientTransport{Endpoint: endpoint, MaxRetries: -1, DisableStandaloneSSE: noStream,
		HTTPClient: &http.Client{Transport: rt}}
	session, err := c.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: pin})
	require.NoError(t, err, "connect")
	return session
}

// openStream opens a session and its event stream (GET /mcp), and
// returns the stream's body once the server has answered.
func openStream(t *testing.T, endpoint, token string) io.ReadCloser {
	t.Helper()
	session := connectMCP(t, endpoint, token, true)
	req, err := http.NewRequest(http.MethodGet, endpoint, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", session.ID())
	req.Header.Set("Mcp-Protocol-Version", session.InitializeResult().ProtocolVersion)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return resp.Body
}

// postInitialize posts an initialize request as curl would, with the token
// (none when ""), and returns the answer and its body.
func postInitialize(t *testing.T, endpoint, token string) (*http.Response, []byte) {
	t.Helper()
	const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(initialize))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}
