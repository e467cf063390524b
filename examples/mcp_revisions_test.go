//go:build unix

package examples_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mcpExchange is what mcpRecorder saw of one request of the go-sdk client.
type mcpExchange struct {
	version, session string // Mcp-Protocol-Version, Mcp-Session-Id
	status           int
	challenge        string // WWW-Authenticate
}

// mcpRecorder puts its current token on every request of the go-sdk
// client and records each exchange: the revision a session speaks is the
// one in its headers, whatever the client asked for.
type mcpRecorder struct {
	mu    sync.Mutex
	token string
	seen  []mcpExchange
}

func (r *mcpRecorder) setToken(tok string) { r.mu.Lock(); r.token = tok; r.mu.Unlock() }

// last returns the last exchange of a POST or GET.
func (r *mcpRecorder) last(t *testing.T) mcpExchange {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.seen)
	return r.seen[len(r.seen)-1]
}

func (r *mcpRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	tok := r.token
	r.mu.Unlock()
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if req.Method != http.MethodDelete { // the client's goodbye, sent on Close
		r.mu.Lock()
		r.seen = append(r.seen, mcpExchange{req.Header.Get("Mcp-Protocol-Version"), req.Header.Get("Mcp-Session-Id"),
			resp.StatusCode, resp.Header.Get("WWW-Authenticate")})
		r.mu.Unlock()
	}
	return resp, nil
}

// postToolCall posts a tools/call of whoami as an MCP 2026-07-28 client
// sends it, with no session, the token (none when "") on it, and returns
// the answer and its body.
func postToolCall(t *testing.T, endpoint, token string) (*http.Response, []byte) {
	t.Helper()
	const call = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":{` +
		`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"},` +
		`"io.modelcontextprotocol/clientCapabilities":{}}}}`
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(call))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "whoami")
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
