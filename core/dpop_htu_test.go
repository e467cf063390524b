package core_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestDPoPHTUFromExternalURL checks, on a real server, that a proof's htu
// is compared with OIDC_RS_EXTERNAL_URL and the request's path: a proof
// naming the URL the request was actually sent to (its Host header) is
// refused, one naming the external URL passes; the query is no part of
// it, and the path is compared as sent, percent-encoding normalised.
func TestDPoPHTUFromExternalURL(t *testing.T) {
	t.Parallel()
	env := newDPoPEnv(t, dpopBackends[0])
	srv := httptest.NewServer(dpopHandler(env.rs(t, nil)))
	t.Cleanup(srv.Close)
	c := newDPoPClient(t)
	tok := env.boundTo(c)
	send := func(target, htu string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "DPoP "+tok)
		req.Header.Set("DPoP", c.proof(t, http.MethodGet, htu, tok))
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(body)
	}

	resp, body := send(srv.URL+dpopPath, srv.URL+dpopPath)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, []string{dpopChallenge("invalid_dpop_proof", descProof)}, resp.Header.Values("WWW-Authenticate"))
	assert.JSONEq(t, `{"error":"invalid_dpop_proof","error_description":"`+descProof+`"}`, body)

	for _, tc := range []struct{ path, htu string }{
		{dpopPath, dpopHTU},
		{dpopPath + "?page=2", dpopHTU},
		{"/things/a%2fb", dpopExternal + "/things/a%2Fb"},
		{"/things/%7Euser", dpopExternal + "/things/~user"},
	} {
		resp, body = send(srv.URL+tc.path, tc.htu)
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", tc.path, body)
	}
	resp, _ = send(srv.URL+"/things/a%2fb", dpopExternal+"/things/a/b")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "an encoded slash is not a slash")
}

// TestDPoPExternalURLFromResource checks that without OIDC_RS_EXTERNAL_URL
// a proof's htu is checked against the origin of OIDC_RS_RESOURCE, and
// that the DPoP challenges then point at the RFC 9728 metadata.
func TestDPoPExternalURLFromResource(t *testing.T) {
	t.Parallel()
	env := newDPoPEnv(t, dpopBackends[2])
	rs := env.rs(t, func(s *core.Settings) { s.ExternalURL, s.Resource, s.Audiences = "", env.as.Resource(), nil })
	assert.Equal(t, "https://rs.example", rs.Settings().ExternalURL)
	h := dpopHandler(rs)
	c := newDPoPClient(t)
	tok := env.boundTo(c)
	const meta = `resource_metadata="https://rs.example/.well-known/oauth-protected-resource/api"`

	dpopRefused(t, dpopServe(h, []string{"DPoP " + tok}, []string{c.get(t, tok)}), http.StatusUnauthorized, "invalid_dpop_proof", descProof,
		`DPoP realm="oidcrs", `+meta+`, error="invalid_dpop_proof", error_description="`+descProof+`", scope="groups", `+dpopAlgs)
	dpopRefused(t, dpopServe(h, nil, nil), http.StatusUnauthorized, "unauthorized", descNoToken,
		`Bearer realm="oidcrs", `+meta+`, scope="groups"`+dpopOffer)
	dpopOK(t, dpopServe(h, []string{"DPoP " + tok}, []string{c.proof(t, http.MethodGet, "https://rs.example"+dpopPath, tok)}))
}

// TestDPoPTokenNotDecoded checks that the reference's base64 rule for
// Bearer tokens is not applied to DPoP tokens: a DPoP token that is
// padded standard base64 is introspected, and hashed for ath, as sent.
func TestDPoPTokenNotDecoded(t *testing.T) {
	t.Parallel()
	env := newDPoPEnv(t, dpopBackends[0])
	h := dpopHandler(env.rs(t, nil))
	c := newDPoPClient(t)
	decoded := "opaque-token-1"
	encoded := base64.StdEncoding.EncodeToString([]byte(decoded))
	require.Equal(t, "b3BhcXVlLXRva2VuLTE=", encoded, "a token the Bearer rule would decode")
	answer := func(bound bool) map[string]any {
		a := map[string]any{"active": true, "iss": env.as.URL, "client_id": oidcrstest.DefaultSPClientID,
			"sub": oidcrstest.DefaultSubject, "scope": oidcrstest.DefaultScope, "exp": time.Now().Add(time.Hour).Unix()}
		if bound {
			a["cnf"] = map[string]any{"jkt": c.jkt}
		}
		return a
	}
	env.as.SetAnswer(encoded, answer(true))

	dpopOK(t, dpopServe(h, []string{"DPoP " + encoded}, []string{c.get(t, encoded)}))
	dpopRefused(t, dpopServe(h, []string{"DPoP " + encoded}, []string{c.get(t, decoded)}), http.StatusUnauthorized,
		"invalid_dpop_proof", descProof, dpopChallenge("invalid_dpop_proof", descProof))

	// The same token as Bearer is decoded, and its decoding is what the
	// authorization server is asked about.
	env.as.SetAnswer(decoded, answer(false))
	dpopOK(t, dpopServe(h, []string{"Bearer " + encoded}, nil))
}
