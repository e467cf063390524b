package devas_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/examples/internal/devas"
)

const (
	redirect = "http://127.0.0.1:9/callback"
	resource = "http://127.0.0.1:8080/mcp"
	verifier = "a-verifier-of-the-test-that-is-long-enough-for-pkce-0123456789"
)

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// start runs a server whose Mint records the claims of the last token.
func start(t *testing.T) (*devas.Server, *map[string]any) {
	t.Helper()
	var minted map[string]any
	s, err := devas.New(devas.Config{Scopes: []string{"groups", "mcp"}, Resources: []string{resource},
		Mint: func(c map[string]any) string { minted = c; return "tok" }})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s, &minted
}

func register(t *testing.T, s *devas.Server, uris ...string) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"redirect_uris": uris, "token_endpoint_auth_method": "client_secret_basic"})
	res, err := http.Post(s.URL+"/register", "application/json", strings.NewReader(string(b)))
	require.NoError(t, err)
	defer res.Body.Close()
	var doc map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&doc))
	if res.StatusCode == http.StatusCreated {
		assert.Equal(t, "none", doc["token_endpoint_auth_method"], "every client is public")
	}
	id, _ := doc["client_id"].(string)
	return res.StatusCode, id
}

// authorize returns the redirect's query.
func authorize(t *testing.T, s *devas.Server, q url.Values) url.Values {
	t.Helper()
	res, err := noRedirect.Get(s.URL + "/authorize?" + q.Encode())
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	loc, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	return loc.Query()
}

func token(t *testing.T, s *devas.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	res, err := http.PostForm(s.URL+"/token", form)
	require.NoError(t, err)
	defer res.Body.Close()
	var doc map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&doc))
	return res.StatusCode, doc
}

func TestCodeFlow(t *testing.T) {
	s, minted := start(t)
	status, id := register(t, s, redirect)
	require.Equal(t, http.StatusCreated, status)
	q := url.Values{"response_type": {"code"}, "client_id": {id}, "redirect_uri": {redirect}, "state": {"st"},
		"code_challenge": {challenge(verifier)}, "code_challenge_method": {"S256"},
		"scope": {"mcp other groups"}, "resource": {resource}}
	back := authorize(t, s, q)
	assert.Equal(t, "st", back.Get("state"))
	code := back.Get("code")
	require.NotEmpty(t, code, "error=%s", back.Get("error"))

	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {id},
		"redirect_uri": {redirect}, "code_verifier": {verifier}}
	status, doc := token(t, s, form)
	require.Equal(t, http.StatusOK, status, "%v", doc)
	assert.Equal(t, "mcp groups", doc["scope"], "scopes as requested, within Config.Scopes")
	assert.Equal(t, map[string]any{"scope": "mcp groups", "client_id": id, "sub": "dev-user", "aud": resource}, *minted)

	status, doc = token(t, s, form)
	assert.Equal(t, http.StatusBadRequest, status, "a code is used once")
	assert.Equal(t, "invalid_grant", doc["error"])

	t.Run("a wrong verifier", func(t *testing.T) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {authorize(t, s, q).Get("code")},
			"client_id": {id}, "code_verifier": {verifier + "x"}}
		status, doc := token(t, s, form)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "invalid_grant", doc["error"])
	})
	for name, change := range map[string]url.Values{
		"plain PKCE":          {"code_challenge_method": {"plain"}, "code_challenge": {challenge(verifier)}},
		"no PKCE":             {"code_challenge_method": {""}, "code_challenge": {""}},
		"an unknown resource": {"resource": {"http://127.0.0.1:1/other"}},
		"response_type token": {"response_type": {"token"}},
	} {
		t.Run(name, func(t *testing.T) {
			bad := url.Values{}
			for k, v := range q {
				bad[k] = v
			}
			for k, v := range change {
				bad[k] = v
			}
			back := authorize(t, s, bad)
			assert.Empty(t, back.Get("code"))
			assert.NotEmpty(t, back.Get("error"))
		})
	}
}

func TestLoopbackOnly(t *testing.T) {
	s, _ := start(t)
	for _, uri := range []string{"https://app.example/cb", "http://192.0.2.1/cb", "http://127.0.0.1/cb#f", "myapp:/cb"} {
		status, _ := register(t, s, uri)
		assert.Equal(t, http.StatusBadRequest, status, uri)
	}
	for _, uri := range []string{"http://localhost:3000/cb", "http://[::1]:1/cb"} {
		status, _ := register(t, s, uri)
		assert.Equal(t, http.StatusCreated, status, uri)
	}
	_, err := devas.New(devas.Config{Addr: "0.0.0.0:0", Mint: func(map[string]any) string { return "" }})
	assert.ErrorContains(t, err, "loopback")
}
