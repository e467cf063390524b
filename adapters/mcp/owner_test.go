package mcprs_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/mcptest"
)

// useSession sends a tools/call of whoami in the 2025-11-25 session id
// with token, as a client that learnt the id would, and returns the
// status and body.
func useSession(t *testing.T, url, id, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url,
		strings.NewReader(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	req.Header.Set("Mcp-Session-Id", id)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// openSession opens a 2025-11-25 session with token and returns its id.
func (e *env) openSession(t *testing.T, token string) string {
	t.Helper()
	s := e.connectAs(t, mcptest.NewRecorder(token), "2025-11-25")
	require.NotEmpty(t, s.ID())
	return s.ID()
}

// TestSessionOwnerIsIssuerAndSubject: a user of another trusted issuer
// whose sub is the session owner's cannot use the session, given its id;
// the owner can, with another token.
func TestSessionOwnerIsIssuerAndSubject(t *testing.T) {
	var b *oidcrstest.Server
	e := startWith(t, func(a *core.Settings) []core.Option {
		b = oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256})
		st := b.AccessTokenSettings("mcp")
		st.Resource = a.Resource
		return []core.Option{core.WithIssuer(st)}
	})
	id := e.openSession(t, e.token("mcp profile")) // iss A, sub user-1

	impostor := b.MintAccessToken(map[string]any{"aud": e.url, "scope": "mcp profile", "sub": oidcrstest.DefaultSubject}, nil)
	status, body := useSession(t, e.url, id, impostor)
	assert.Equal(t, http.StatusForbidden, status, "same sub, another issuer: %s", body)
	assert.Contains(t, body, "session user mismatch")

	status, body = useSession(t, e.url, id, e.token("mcp profile"))
	assert.Equal(t, http.StatusOK, status, "the owner, with a new token: %s", body)
	assert.Contains(t, body, `\"sub\":\"`+oidcrstest.DefaultSubject)
}

// TestSessionOwnerWithoutSubject: a token without sub (client_credentials)
// binds its session to its issuer and client_id, and one with neither to
// itself (TestSessionOwnerWithoutClient); no other client, and no user
// whose sub is that client_id, can use the session.
func TestSessionOwnerWithoutSubject(t *testing.T) {
	e := start(t)
	client := func(id string) string {
		return e.as.Mint(map[string]any{"sub": nil, "client_id": id, "scope": "mcp profile", "aud": e.url})
	}
	id := e.openSession(t, client("job-1"))
	for name, tok := range map[string]string{
		"another client":            client("job-2"),
		"a user whose sub is job-1": e.as.Mint(map[string]any{"sub": "job-1", "scope": "mcp profile", "aud": e.url}),
	} {
		status, body := useSession(t, e.url, id, tok)
		assert.Equal(t, http.StatusForbidden, status, "%s: %s", name, body)
	}
	status, body := useSession(t, e.url, id, client("job-1"))
	assert.Equal(t, http.StatusOK, status, "the same client, with a new token: %s", body)
}

// TestSessionOwnerWithoutClient: where the audience is read from aud, a
// token may have neither sub nor client_id; its session is bound to that
// token alone.
func TestSessionOwnerWithoutClient(t *testing.T) {
	e := startWith(t, func(st *core.Settings) []core.Option { st.AudienceClaim = "aud"; return nil })
	anon := func() string {
		return e.as.Mint(map[string]any{"sub": nil, "client_id": nil, "scope": "mcp profile", "aud": e.url})
	}
	tok := anon()
	id := e.openSession(t, tok)
	status, body := useSession(t, e.url, id, anon())
	assert.Equal(t, http.StatusForbidden, status, "another such token: %s", body)
	status, body = useSession(t, e.url, id, tok)
	assert.Equal(t, http.StatusOK, status, "the same token: %s", body)
}
