package mcprs_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// exchange is what recorder saw of one HTTP request of the SDK client.
type exchange struct {
	method, version, session string // HTTP method, Mcp-Protocol-Version, Mcp-Session-Id
	status                   int
	challenge                string // WWW-Authenticate
}

// recorder puts its current token on every request of the SDK client and
// records each exchange: the revision a session actually speaks is in the
// headers it sends, whatever the client asked for.
type recorder struct {
	mu    sync.Mutex
	token string
	seen  []exchange
}

func (r *recorder) setToken(tok string) { r.mu.Lock(); r.token = tok; r.mu.Unlock() }

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.seen...)
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	tok := r.token
	r.mu.Unlock()
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.seen = append(r.seen, exchange{req.Method, req.Header.Get("Mcp-Protocol-Version"), req.Header.Get("Mcp-Session-Id"),
		resp.StatusCode, resp.Header.Get("WWW-Authenticate")})
	r.mu.Unlock()
	return resp, nil
}

// connectAs connects the SDK client through rec, asking for revision pin
// ("" leaves the client's own choice).
func (e *env) connectAs(t *testing.T, rec *recorder, pin string) *mcp.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "test"}, nil)
	tr := &mcp.StreamableClientTransport{Endpoint: e.url, HTTPClient: &http.Client{Transport: rec}, MaxRetries: -1,
		DisableStandaloneSSE: true}
	s, err := c.Connect(ctx, tr, &mcp.ClientSessionOptions{ProtocolVersion: pin})
	require.NoError(t, err, "connect")
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestMCPRevisions: one endpoint serves a 2025-11-25 client (initialize,
// then a session) and a 2026-07-28 client (no session, the revision on
// every request), checks the token of every request of both, and answers
// a bad one 401 mid-session.
func TestMCPRevisions(t *testing.T) {
	for _, tc := range []struct{ name, pin, want string }{
		{"2025-11-25, pinned", "2025-11-25", "2025-11-25"},
		{"2026-07-28, the client's own choice", "", "2026-07-28"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			rec := &recorder{token: e.token("mcp profile")}
			s := e.connectAs(t, rec, tc.pin)
			require.Equal(t, tc.want, s.InitializeResult().ProtocolVersion, "the revision negotiated")
			res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
			require.NoError(t, err)
			require.False(t, res.IsError, "%v", res.Content)
			b, _ := json.Marshal(res.StructuredContent)
			assert.Contains(t, string(b), `"sub":"`+oidcrstest.DefaultSubject+`"`)

			seen := rec.exchanges()
			last := seen[len(seen)-1] // tools/call
			assert.Equal(t, http.StatusOK, last.status)
			assert.Equal(t, tc.want, last.version, "the revision the session speaks, on the wire")
			if tc.want == "2026-07-28" {
				assert.Empty(t, s.ID(), "no session")
				for _, x := range seen {
					assert.Equal(t, tc.want, x.version, "every request names the revision, discovery included")
					assert.Empty(t, x.session)
				}
			} else {
				assert.NotEmpty(t, s.ID(), "a session")
				assert.Equal(t, s.ID(), last.session)
			}

			// The same session, now with a token for another resource: the
			// next request is checked, not waved through by the session.
			rec.setToken(e.as.Mint(map[string]any{"scope": "mcp profile", "aud": "https://another.example/mcp"}))
			_, err = s.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
			require.Error(t, err)
			seen = rec.exchanges()
			last = seen[len(seen)-1]
			assert.Equal(t, http.StatusUnauthorized, last.status)
			assert.Contains(t, last.challenge, `error="invalid_token"`)
			assert.Equal(t, tc.want, last.version)
		})
	}
}

// newRevisionCall is a tools/call of whoami as a 2026-07-28 client sends
// it: the revision in a header and in _meta, no session.
func newRevisionCall(t *testing.T, url, token string) (*http.Response, string) {
	t.Helper()
	const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":{` +
		`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},` +
		`"io.modelcontextprotocol/clientCapabilities":{}}}}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "whoami")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// TestMCPNewRevisionChallenges: a 2026-07-28 request gets the same 401,
// 403 and 503 as an initialize, and a good token gets the tool's answer.
func TestMCPNewRevisionChallenges(t *testing.T) {
	e := start(t)
	resp, body := newRevisionCall(t, e.url, e.token("mcp profile"))
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Contains(t, body, `"sub":"`+oidcrstest.DefaultSubject+`"`)

	resp, _ = newRevisionCall(t, e.url, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `resource_metadata="`)
	resp, _ = newRevisionCall(t, e.url, e.token("profile"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `scope="mcp"`)
	e.as.SetFault(&oidcrstest.FaultDown)
	resp, _ = newRevisionCall(t, e.url, e.token("mcp profile"))
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}
