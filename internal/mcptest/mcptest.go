// Package mcptest holds the MCP fixtures that the mcp adapter's tests and
// the examples' tests share: a transport that records what an SDK client
// really sends, and a raw MCP 2026-07-28 request. It imports testing, and
// only tests may import it.
package mcptest

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Exchange is what a Recorder saw of one HTTP request of the client.
type Exchange struct {
	Method, Version, Session string // HTTP method, Mcp-Protocol-Version, Mcp-Session-Id
	Status                   int
	Challenge                string // WWW-Authenticate
}

// Recorder is an http.RoundTripper that puts its current token on every
// request of the client and records each exchange: the revision a session
// speaks is the one in the headers it sends, whatever the client asked
// for. It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	token string
	seen  []Exchange
}

// NewRecorder returns a Recorder that puts token on every request.
func NewRecorder(token string) *Recorder { return &Recorder{token: token} }

// SetToken sets the token of the requests that follow.
func (r *Recorder) SetToken(tok string) { r.mu.Lock(); r.token = tok; r.mu.Unlock() }

// Exchanges returns every exchange so far, in order.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.seen...)
}

// Last returns the last exchange other than a DELETE (the client's
// goodbye, sent on Close), failing t when there is none.
func (r *Recorder) Last(t testing.TB) Exchange {
	t.Helper()
	seen := r.Exchanges()
	for i := len(seen) - 1; i >= 0; i-- {
		if seen[i].Method != http.MethodDelete {
			return seen[i]
		}
	}
	t.Fatal("mcptest: no exchange recorded")
	return Exchange{}
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
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
	r.seen = append(r.seen, Exchange{req.Method, req.Header.Get("Mcp-Protocol-Version"), req.Header.Get("Mcp-Session-Id"),
		resp.StatusCode, resp.Header.Get("WWW-Authenticate")})
	r.mu.Unlock()
	return resp, nil
}

// NewRevisionCall posts to url a tools/call of whoami as an MCP 2026-07-28
// client sends it (the revision in a header and in _meta, no session), with
// token on it (none when ""), and returns the answer and its body.
func NewRevisionCall(t testing.TB, url, token string) (*http.Response, []byte) {
	t.Helper()
	const call = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":{` +
		`"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"},` +
		`"io.modelcontextprotocol/clientCapabilities":{}}}}`
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(call))
	if err != nil {
		t.Fatalf("mcptest: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", "tools/call")
	req.Header.Set("Mcp-Name", "whoami")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("mcptest: tools/call: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("mcptest: reading the answer: %v", err)
	}
	return resp, body
}
