//go:build unix

package examples_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/examples/internal/app"
)

var connectCurl = regexp.MustCompile(`curl -i -H 'Authorization: Bearer ([A-Za-z0-9_-]+)' .* (http://\S+)$`)

// TestConnectExample runs the Connect example as a real process, with its
// development authorization server and against a fake one configured by
// the reference's variables, and calls it with Connect's own client and
// with plain HTTP, as the printed curl commands do.
func TestConnectExample(t *testing.T) {
	bin := buildConnectExample(t)
	t.Run("development server", func(t *testing.T) {
		addr := freeAddr(t)
		p := start(t, bin, map[string]string{"ADDR": addr})
		out := p.waitFor(t, "Listening on http://"+addr)
		tokens := map[string]string{} // procedure URL -> token
		for _, line := range out {
			if m := connectCurl.FindStringSubmatch(line); m != nil {
				tokens[m[2]] = m[1]
			}
		}
		base := "http://" + addr
		me, admin := tokens[base+"/oidcrs.examples.v1.Identity/WhoAmI"], tokens[base+"/oidcrs.examples.v1.Identity/Admin"]
		require.NotEmpty(t, me, "no curl command for WhoAmI in:\n%s", strings.Join(out, "\n"))
		require.NotEmpty(t, admin, "no curl command for Admin in:\n%s", strings.Join(out, "\n"))
		checkConnect(t, base, me, admin)
		p.stop(t)
	})
	t.Run("jwt", func(t *testing.T) {
		addr := freeAddr(t)
		as, env := externalAS(t, oidcrstest.JWT, addr)
		p := start(t, bin, env)
		p.waitFor(t, "Listening on http://"+addr)
		checkConnect(t, "http://"+addr, as.Mint(nil), as.Mint(map[string]any{"scope": "groups admin"}))
		assert.Positive(t, as.IntrospectionCalls())
		p.stop(t)
	})
}

// checkConnect calls both procedures: me holds scope groups, admin holds
// groups and admin.
func checkConnect(t *testing.T, base, me, admin string) {
	t.Helper()
	whoAmI := connect.NewClient[struct{}, app.Me](http.DefaultClient, base+"/oidcrs.examples.v1.Identity/WhoAmI", connect.WithCodec(plainJSON{}))
	adm := connect.NewClient[struct{}, app.Admin](http.DefaultClient, base+"/oidcrs.examples.v1.Identity/Admin", connect.WithCodec(plainJSON{}))

	_, err := whoAmI.CallUnary(t.Context(), request(""))
	assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err), "no token: %v", err)
	assert.True(t, strings.HasPrefix(challenge(err), `Bearer realm="oidcrs"`), "no token: challenge %q", challenge(err))
	assert.NotContains(t, challenge(err), "error=", "a missing token gets a bare challenge")

	resp, err := whoAmI.CallUnary(t.Context(), request(me))
	require.NoError(t, err)
	assert.Equal(t, app.Me{Subject: "user-1", Audience: "sp-client", ClientID: "sp-client", Scopes: []string{"groups"}}, *resp.Msg)

	_, err = adm.CallUnary(t.Context(), request(me))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "admin without the scope: %v", err)
	assert.Contains(t, challenge(err), `error="insufficient_scope"`)
	ok, err := adm.CallUnary(t.Context(), request(admin))
	require.NoError(t, err)
	assert.Equal(t, app.Admin{Message: "welcome, admin", Subject: "user-1"}, *ok.Msg)

	// As curl sees it: the Connect protocol's 401 carries the challenge.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/oidcrs.examples.v1.Identity/WhoAmI", strings.NewReader("{}"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	raw, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer raw.Body.Close()
	var body struct{ Code, Message string }
	require.NoError(t, json.NewDecoder(raw.Body).Decode(&body))
	assert.Equal(t, http.StatusUnauthorized, raw.StatusCode)
	assert.True(t, strings.HasPrefix(raw.Header.Get("WWW-Authenticate"), `Bearer realm="oidcrs"`), "%q", raw.Header.Get("WWW-Authenticate"))
	assert.Equal(t, "unauthenticated", body.Code)
}

// plainJSON lets Connect's client send and read plain Go structs as JSON,
// as the example's handlers do.
type plainJSON struct{}

func (plainJSON) Name() string                       { return "json" }
func (plainJSON) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (plainJSON) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// request is an empty request, with a bearer token unless token is "".
func request(token string) *connect.Request[struct{}] {
	req := connect.NewRequest(&struct{}{})
	if token != "" {
		req.Header().Set("Authorization", "Bearer "+token)
	}
	return req
}

// challenge is the WWW-Authenticate metadata of a Connect error.
func challenge(err error) string {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return ""
	}
	return ce.Meta().Get("WWW-Authenticate")
}

// buildConnectExample builds the Connect example into a directory of the
// test, with -race when the tests run with it.
func buildConnectExample(t *testing.T) string {
	out := filepath.Join(t.TempDir(), "connect")
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	ctx, cancel := context.WithTimeout(t.Context(), buildTimeout)
	defer cancel()
	b, err := exec.CommandContext(ctx, "go", append(args, "./connect")...).CombinedOutput()
	require.NoError(t, err, "go build: %s", b)
	return out
}
