package suite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// The web client whose users log in through the authorization code flow;
// its redirect URI is never requested.
const (
	webID       = "sp-web"
	webSecret   = "sp-web-secret"
	webRedirect = "https://sp-web.example/callback"
)

// webClient is the web client's oidc-provider registration.
func webClient() map[string]any {
	return asproc.CodeFlowClient(webID, webSecret, webRedirect, "openid groups")
}

// stepUpLogin is one login of a user through the web client: what the
// user does (account, acr, age: how long ago), and, once run, the
// access token, the prompts the AS asked for and when the flow ran.
type stepUpLogin struct {
	account, acr string
	age          time.Duration

	token      string
	prompts    []string
	start, end time.Time
}

// run logs in through b for resource ("": an opaque token); edit, if not
// nil, changes the authorization request.
func (l *stepUpLogin) run(t *testing.T, b *asproc.Browser, resource string, edit func(*asproc.LoginRequest)) {
	t.Helper()
	req := asproc.LoginRequest{ClientID: webID, Secret: webSecret, RedirectURI: webRedirect,
		Scope: "openid groups", Resource: resource, Account: l.account, ACR: l.acr, Age: l.age}
	if edit != nil {
		edit(&req)
	}
	ctx := context.Background()
	defer throttle(ctx)()
	l.start = time.Now()
	res, err := b.Login(ctx, req)
	l.end = time.Now()
	require.NoError(t, err)
	require.NotEmpty(t, res.AccessToken)
	l.token, l.prompts = res.AccessToken, res.Prompts
}

// stepUpSeen is what stepUpApp's handlers answer: the token's subject,
// acr and auth_time as TokenInfo.Claim gave them.
type stepUpSeen struct {
	Subject  string `json:"sub"`
	ACR      string `json:"acr"`
	AuthTime int64  `json:"auth_time"` // 0 when absent
}

func writeStepUpSeen(w http.ResponseWriter, r *http.Request) {
	var s stepUpSeen
	if ti, ok := core.FromContext(r.Context()); ok {
		s.Subject = ti.Subject
		if v, ok := ti.Claim("acr"); ok {
			s.ACR, _ = v.(string)
		}
		if v, ok := ti.Claim("auth_time"); ok {
			if n, ok := v.(json.Number); ok {
				s.AuthTime, _ = n.Int64()
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s)
}

// stepUpResult is an answer of stepUpApp.
type stepUpResult struct {
	result
	seen stepUpSeen // decoded on 200
}

// stepUpCall sends GET api+path with token as a Bearer token.
func stepUpCall(t *testing.T, api, path, token string) stepUpResult {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, api+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := stepUpResult{result: result{status: resp.StatusCode, body: string(body),
		wwwAuth: strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")}}
	if r.status == http.StatusOK {
		require.NoError(t, json.Unmarshal(body, &r.seen), "body: %s", body)
	}
	return r
}

// assertStepUp checks a step-up refusal (RFC 9470 section 3): 401, the
// body's error insufficient_user_authentication, and a Bearer challenge
// with that error, a description and no scope; no other challenge (DPoP's
// is offered beside it) carries an error. It returns the Bearer challenge.
func assertStepUp(t *testing.T, r stepUpResult) challenge {
	t.Helper()
	const code = "insufficient_user_authentication"
	require.Equal(t, http.StatusUnauthorized, r.status, "body: %s; WWW-Authenticate: %s", r.body, r.wwwAuth)
	assertBodyError(t, r.result, code)
	chs, err := parseChallenges(r.wwwAuth)
	require.NoError(t, err, "WWW-Authenticate: %s", r.wwwAuth)
	var bearer *challenge
	for i, c := range chs {
		if strings.EqualFold(c.scheme, "Bearer") {
			bearer = &chs[i]
		} else {
			assert.NotContains(t, c.params, "error", "the %s challenge in %s", c.scheme, r.wwwAuth)
		}
	}
	require.NotNil(t, bearer, "no Bearer challenge in %s", r.wwwAuth)
	assert.Equal(t, "oidcrs", bearer.params["realm"])
	assert.Equal(t, code, bearer.params["error"])
	assert.NotEmpty(t, bearer.params["error_description"])
	assert.NotContains(t, bearer.params, "scope")
	return *bearer
}

// numbers re-decodes claims with json.Number for numbers, as
// introspectionClaims and core do.
func numbers(t *testing.T, claims map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(claims)
	require.NoError(t, err)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	return m
}
