package suite_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// jwksKeys decodes a JWKS document.
func jwksKeys(t *testing.T, body string) []map[string]any {
	t.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &set), "body: %s", body)
	return set.Keys
}

// kids returns the key ids of a JWKS document, in order.
func kids(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, k := range jwksKeys(t, body) {
		kid, _ := k["kid"].(string)
		require.NotEmpty(t, kid)
		out = append(out, kid)
	}
	return out
}

// assertPublicOnly checks that a JWK carries no private member.
func assertPublicOnly(t *testing.T, key map[string]any) {
	t.Helper()
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "r", "t"} {
		assert.NotContains(t, key, m)
	}
}

// introspectionHeader introspects token as c, the way c's resource server
// does, and returns the protected header of the JWE the AS answered with:
// it shows which of c's keys the AS encrypted to. Nothing is decrypted.
func introspectionHeader(t *testing.T, as *asproc.AS, c rsClient, token string) map[string]any {
	t.Helper()
	parts := strings.Split(introspectRaw(t, as, c, token), ".")
	require.Len(t, parts, 5, "a compact JWE")
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	var h map[string]any
	require.NoError(t, json.Unmarshal(raw, &h))
	return h
}

// introspectRaw introspects token as c, the way c's resource server does,
// and returns the AS's RFC 9701 answer as is.
func introspectRaw(t *testing.T, as *asproc.AS, c rsClient, token string) string {
	t.Helper()
	return introspectAccept(t, as, c, token, "application/token-introspection+jwt")
}

// introspectJSON introspects token as a JSON client c and decodes the
// answer, which must be active.
func introspectJSON(t *testing.T, as *asproc.AS, c rsClient, token string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(introspectAccept(t, as, c, token, "application/json")), &m))
	require.Equal(t, true, m["active"])
	return m
}

// introspectAccept introspects token as c (client_secret_post) asking for
// the media type accept, and returns the 200 answer's body.
func introspectAccept(t *testing.T, as *asproc.AS, c rsClient, token, accept string) string {
	t.Helper()
	form := url.Values{"client_id": {c.id}, "client_secret": {c.secret()}, "token": {token}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, as.IntrospectionURL(),
		strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", accept)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	return string(body)
}
