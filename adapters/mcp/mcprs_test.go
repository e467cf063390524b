package mcprs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mcprs "github.com/oidcrs/oidcrs/adapters/mcp"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// whoamiOut is what the whoami tool answers.
type whoamiOut struct {
	Sub      string   `json:"sub"`
	Scopes   []string `json:"scopes"`
	ClientID string   `json:"client_id"`
	TokenTyp string   `json:"token_type"` // from the SDK's Extra["claims"]
}

// newMCPServer is an MCP server with one tool, whoami, which needs scope
// "profile" on top of the route's.
func newMCPServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "whoami", Version: "test"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami", Description: "who is calling"},
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, whoamiOut, error) {
			if err := mcprs.CheckScopes(req.Extra.TokenInfo, core.AnyScope("profile")); err != nil {
				return nil, whoamiOut{}, err
			}
			ti, ok := mcprs.TokenInfo(req.Extra.TokenInfo)
			if !ok {
				return nil, whoamiOut{}, errors.New("no token")
			}
			claims, _ := req.Extra.TokenInfo.Extra["claims"].(map[string]any)
			typ, _ := claims["token_type"].(string)
			return nil, whoamiOut{Sub: ti.Subject, Scopes: ti.Scopes, ClientID: ti.ClientID, TokenTyp: typ}, nil
		})
	return s
}

type env struct {
	as  *oidcrstest.Server
	rs  *core.ResourceServer
	url string // the MCP endpoint

	mu      sync.Mutex
	refused []core.Decision // the refusals reported to the Observer
}

// lastRefusal returns the last refusal reported to the Observer.
func (e *env) lastRefusal(t *testing.T) core.Decision {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	require.NotEmpty(t, e.refused, "a refusal was reported")
	return e.refused[len(e.refused)-1]
}

func start(t *testing.T) *env { return startWith(t, nil) }

// startWith starts an MCP server behind oidcrs, trusting e.as; more, when
// not nil, may change the settings (Resource set) and add options.
func startWith(t *testing.T, more func(st *core.Settings) []core.Option) *env {
	t.Helper()
	as := oidcrstest.Start(t, oidcrstest.Config{})
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	st := as.Settings("", "mcp")
	st.Resource = srv.URL + "/mcp"
	e := &env{as: as, url: srv.URL + "/mcp"}
	opts := []core.Option{core.WithObserver(core.Observer{Decision: func(_ context.Context, d core.Decision) {
		if d.Status != http.StatusOK {
			e.mu.Lock()
			e.refused = append(e.refused, d)
			e.mu.Unlock()
		}
	}})}
	if more != nil {
		opts = append(opts, more(&st)...)
	}
	rs, err := core.New(st, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	e.rs = rs
	mcprs.RegisterRoutes(mux, rs)
	h := mcprs.NewStreamableHandler(func(*http.Request) *mcp.Server { return newMCPServer() }, nil)
	mux.Handle("/mcp", mcprs.Protect(rs, mcprs.RequireScopes(rs, core.AnyScope("mcp"))(h)))
	return e
}

// bearer adds a token to every request of the SDK client.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func (e *env) connect(t *testing.T, token string) (*mcp.ClientSession, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	c := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "test"}, nil)
	tr := &mcp.StreamableClientTransport{Endpoint: e.url, HTTPClient: &http.Client{Transport: bearer{token}}, MaxRetries: -1,
		DisableStandaloneSSE: true}
	return c.Connect(ctx, tr, nil)
}

func (e *env) token(scope string) string {
	return e.as.Mint(map[string]any{"scope": scope, "aud": strings.TrimSuffix(e.url, "")})
}

func TestMCPEndToEnd(t *testing.T) {
	e := start(t)
	session, err := e.connect(t, e.token("mcp profile"))
	require.NoError(t, err, "initialize")
	defer session.Close()
	ctx := context.Background()
	tools, err := session.ListTools(ctx, nil)
	require.NoError(t, err)
	require.Len(t, tools.Tools, 1)
	assert.Equal(t, "whoami", tools.Tools[0].Name)
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
	require.NoError(t, err)
	require.False(t, res.IsError)
	b, _ := json.Marshal(res.StructuredContent)
	var out whoamiOut
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, whoamiOut{Sub: oidcrstest.DefaultSubject, Scopes: []string{"mcp", "profile"}, ClientID: oidcrstest.DefaultSPClientID, TokenTyp: "Bearer"}, out)
	assert.EqualValues(t, 1, e.as.IntrospectionCalls(), "one introspection for the whole session (the verdict cache)")

	t.Run("a tool's own scope", func(t *testing.T) {
		s, err := e.connect(t, e.token("mcp"))
		require.NoError(t, err)
		defer s.Close()
		res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "whoami"})
		require.NoError(t, err)
		assert.True(t, res.IsError, "the tool refuses a token without its scope")
		d := e.lastRefusal(t)
		assert.Equal(t, http.StatusForbidden, d.Status, "the tool's refusal is counted")
		assert.ErrorIs(t, d.Kind, core.ErrInsufficientScope)
	})
}

func TestMCPChallenges(t *testing.T) {
	e := start(t)
	post := func(token string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, e.url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	metaURL := strings.Replace(e.url, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1)

	resp := post("")
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, `Bearer realm="oidcrs", resource_metadata="`+metaURL+`", scope="mcp", DPoP realm="oidcrs", algs="ES256 ES384 PS256 RS256 EdDSA"`, resp.Header.Get("WWW-Authenticate"),
		"the 401 names the scopes the metadata advertises")
	meta, err := http.Get(metaURL) // following the challenge
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.NewDecoder(meta.Body).Decode(&doc))
	meta.Body.Close()
	assert.Equal(t, e.url, doc["resource"])
	assert.Equal(t, []any{e.as.URL}, doc["authorization_servers"])
	assert.Contains(t, doc["scopes_supported"], "mcp")

	resp = post("Bearer ")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "malformed: 400, not the SDK's 401")
	resp = post("Bearer " + e.token("other"))
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), `scope="mcp"`)
	assert.Equal(t, http.StatusForbidden, e.lastRefusal(t).Status, "the route's refusal is counted")
	resp = post("Bearer " + e.as.Mint(map[string]any{"scope": "mcp", "aud": "https://another.example/mcp"}))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a token for another resource")
	assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "not issued for this resource")

	e.as.SetFault(&oidcrstest.FaultDown)
	resp = post("Bearer " + e.token("mcp"))
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "the authorization server down: 503, not 500")
}

func TestProtectPanicsOnMisconfiguration(t *testing.T) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	rs, err := core.New(as.Settings(""))
	require.NoError(t, err)
	assert.Panics(t, func() { mcprs.Protect(nil, http.NotFoundHandler()) })
	assert.Panics(t, func() { mcprs.Protect(rs, http.NotFoundHandler()) }, "no resource")
	assert.Panics(t, func() { mcprs.RegisterRoutes(http.NewServeMux(), nil) })
}
