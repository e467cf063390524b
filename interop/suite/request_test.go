package suite_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// httpClient calls the apps. Its timeout only bounds a hung test.
var httpClient = &http.Client{Timeout: 60 * time.Second, Transport: throttled{http.DefaultTransport}}

// result is an app's answer.
type result struct {
	status  int
	wwwAuth string
	body    string
	id      identity // decoded on 200
}

// call sends GET baseURL+path with Authorization: Bearer token ("" for
// no header).
func call(t *testing.T, baseURL, path, token string) result {
	t.Helper()
	return callCtx(t, context.Background(), baseURL, path, token)
}

// callCtx is call with a context, for urgent calls.
func callCtx(t *testing.T, ctx context.Context, baseURL, path, token string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := result{status: resp.StatusCode, wwwAuth: resp.Header.Get("WWW-Authenticate"), body: string(body)}
	if r.status == http.StatusOK && path != "/jwks" {
		require.NoError(t, json.Unmarshal(body, &r.id), "body: %s", body)
	}
	return r
}

// assertAccepted checks a 200 whose handler saw sub and the SP as the
// token's origin audience.
func assertAccepted(t *testing.T, r result, sub string) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body: %s", r.body)
	assert.Equal(t, sub, r.id.Subject)
	assert.Equal(t, spID, r.id.Audience, "origin audience")
	assert.Equal(t, spID, r.id.ClientID)
}

// assertRejected checks an RFC 6750 rejection: the status, and the error
// code of the Bearer challenge and of the JSON body.
func assertRejected(t *testing.T, r result, status int, code string) {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.body)
	assert.Contains(t, r.wwwAuth, `Bearer realm="oidcrs"`)
	assert.Contains(t, r.wwwAuth, fmt.Sprintf(`error=%q`, code))
	assertBodyError(t, r, code)
}

// assertUnavailable checks a 503 that tells the client nothing about its
// token: no invalid_token, so the client keeps it and retries.
func assertUnavailable(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, http.StatusServiceUnavailable, r.status, "body: %s", r.body)
	assert.NotContains(t, r.wwwAuth, "invalid_token")
	assert.NotContains(t, r.body, "invalid_token")
	assertBodyError(t, r, "temporarily_unavailable")
}

// assertBodyError checks the JSON body's "error" member.
func assertBodyError(t *testing.T, r result, code string) {
	t.Helper()
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &b), "body: %s", r.body)
	assert.Equal(t, code, b.Error)
	assert.NotEmpty(t, b.Description)
}

var accounts atomic.Int64

// newAccount returns a fresh subject, so that every case has its own token.
func newAccount() string { return fmt.Sprintf("user-%d", accounts.Add(1)) }

// mint issues a token to the SP for a fresh account and returns both.
func mint(t *testing.T, as *asproc.AS, scope string, ttl time.Duration) (token, sub string) {
	t.Helper()
	return mintCtx(t, context.Background(), as, scope, ttl)
}

// mintCtx is mint with a context, for urgent calls.
func mintCtx(t *testing.T, ctx context.Context, as *asproc.AS, scope string, ttl time.Duration) (token, sub string) {
	t.Helper()
	sub = newAccount()
	defer throttle(ctx)()
	token, err := as.MintToken(ctx, sub, spID, scope, ttl)
	require.NoError(t, err)
	require.NotEmpty(t, token)
	return token, sub
}

// revoke revokes token at the AS's RFC 7009 endpoint as the SP.
func revoke(t *testing.T, ctx context.Context, as *asproc.AS, token string) {
	t.Helper()
	defer throttle(ctx)()
	require.NoError(t, as.Revoke(ctx, token, spID, spSecret))
}

// b64 encodes a token in standard base64, as some service providers do.
func b64(token string) string { return base64.StdEncoding.EncodeToString([]byte(token)) }
