package mcprs_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/mcptest"
)

// connectAs connects the SDK client through rec, asking for revision pin
// ("" leaves the client's own choice).
func (e *env) connectAs(t *testing.T, rec *mcptest.Recorder, pin string) *mcp.ClientSession {
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
			rec := mcptest.NewRecorder(e.token("mcp profile"))
			s := e.connectAs(t, rec, tc.pin)
			require.Equal(t, tc.want, s.InitializeResult().ProtocolVersion, "the revision negotiated")
			res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
			require.NoError(t, err)
			require.False(t, res.IsError, "%v", res.Content)
			b, _ := json.Marshal(res.StructuredContent)
			assert.Contains(t, string(b), `"sub":"`+oidcrstest.DefaultSubject+`"`)

			seen := rec.Exchanges()
			last := seen[len(seen)-1] // tools/call
			assert.Equal(t, http.StatusOK, last.Status)
			assert.Equal(t, tc.want, last.Version, "the revision the session speaks, on the wire")
			if tc.want == "2026-07-28" {
				assert.Empty(t, s.ID(), "no session")
				for _, x := range seen {
					assert.Equal(t, tc.want, x.Version, "every request names the revision, discovery included")
					assert.Empty(t, x.Session)
				}
			} else {
				assert.NotEmpty(t, s.ID(), "a session")
				assert.Equal(t, s.ID(), last.Session)
			}

			// The same session, now with a token for another resource: the
			// next request is checked, not waved through by the session.
			rec.SetToken(e.as.Mint(map[string]any{"scope": "mcp profile", "aud": "https://another.example/mcp"}))
			_, err = s.CallTool(t.Context(), &mcp.CallToolParams{Name: "whoami"})
			require.Error(t, err)
			seen = rec.Exchanges()
			last = seen[len(seen)-1]
			assert.Equal(t, http.StatusUnauthorized, last.Status)
			assert.Contains(t, last.Challenge, `error="invalid_token"`)
			assert.Equal(t, tc.want, last.Version)
		})
	}
}

// TestMCPNewRevisionChallenges: a 2026-07-28 request gets the same 401,
// 403 and 503 as an initialize, and a good token gets the tool's answer.
func TestMCPNewRevisionChallenges(t *testing.T) {
	e := start(t)
	resp, body := mcptest.NewRevisionCall(t, e.url, e.token("mcp profile"))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `"sub":"`+oidcrstest.DefaultSubject+`"`)

	resp, _ = mcptest.NewRevisionCall(t, e.url, "")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `resource_metadata="`)
	resp, _ = mcptest.NewRevisionCall(t, e.url, e.token("profile"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `scope="mcp"`)
	e.as.SetFault(&oidcrstest.FaultDown)
	resp, _ = mcptest.NewRevisionCall(t, e.url, e.token("mcp profile"))
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}
