package suite_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/asproc"
)

// newECKey returns a fresh P-256 key: a DPoP client's key pair.
func newECKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// thumbprint is the RFC 7638 thumbprint of key: the cnf.jkt of the tokens
// bound to it.
func thumbprint(t *testing.T, key crypto.Signer) string {
	t.Helper()
	jkt, err := asproc.Thumbprint(key)
	require.NoError(t, err)
	return jkt
}

// proof signs a DPoP proof for a request with token; p's zero fields are
// filled in (fresh jti, iat now).
func proof(t *testing.T, key crypto.Signer, p asproc.Proof) string {
	t.Helper()
	s, err := p.Sign(key)
	require.NoError(t, err)
	return s
}

// goodProof is the proof a client sends with GET baseURL+path and token.
func goodProof(t *testing.T, key crypto.Signer, baseURL, path, token string) string {
	t.Helper()
	return proof(t, key, asproc.Proof{Method: http.MethodGet, URI: baseURL + path, AccessToken: token})
}

// dpopToken runs the client_credentials grant as the SP with a DPoP proof
// by key: the token is bound to key. resource "" gives an opaque token.
func dpopToken(t *testing.T, as *asproc.AS, resource string, key crypto.Signer) string {
	t.Helper()
	ctx := context.Background()
	defer throttle(ctx)()
	tok, err := as.ClientCredentialsDPoP(ctx, spID, spSecret, "groups", resource, key)
	require.NoError(t, err)
	require.NotEmpty(t, tok)
	return tok
}

// dpopCall sends GET baseURL+path with Authorization: <scheme> <token> and
// one DPoP header per proof.
func dpopCall(t *testing.T, baseURL, path, scheme, token string, proofs ...string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, baseURL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", scheme+" "+token)
	for _, p := range proofs {
		req.Header.Add("DPoP", p)
	}
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := result{status: resp.StatusCode, body: string(body)}
	r.wwwAuth = strings.Join(resp.Header.Values("WWW-Authenticate"), ", ")
	return r
}

// assertDPoPAccepted checks a 200 whose handler saw the SP's token.
func assertDPoPAccepted(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, http.StatusOK, r.status, "body: %s; WWW-Authenticate: %s", r.body, r.wwwAuth)
	var id identity
	require.NoError(t, json.Unmarshal([]byte(r.body), &id))
	assert.Equal(t, spID, id.ClientID)
	assert.Contains(t, id.Scopes, "groups")
}

// assertChallenged checks a 401 whose JSON body has error code and whose
// WWW-Authenticate carries error=code on the challenge of scheme (Bearer
// or DPoP) and on no other. A DPoP challenge lists the proof algs.
func assertChallenged(t *testing.T, r result, scheme, code string) {
	t.Helper()
	require.Equal(t, http.StatusUnauthorized, r.status, "body: %s; WWW-Authenticate: %s", r.body, r.wwwAuth)
	assertBodyError(t, r, code)
	chs, err := parseChallenges(r.wwwAuth)
	require.NoError(t, err, "WWW-Authenticate: %s", r.wwwAuth)
	found := false
	for _, c := range chs {
		if strings.EqualFold(c.scheme, scheme) {
			found = true
			assert.Equal(t, code, c.params["error"], "error of the %s challenge in %s", scheme, r.wwwAuth)
			assert.Equal(t, "oidcrs", c.params["realm"])
		} else {
			assert.NotContains(t, c.params, "error", "the %s challenge in %s", c.scheme, r.wwwAuth)
		}
		if strings.EqualFold(c.scheme, "DPoP") {
			assert.Contains(t, strings.Fields(c.params["algs"]), "ES256", "algs of %s", r.wwwAuth)
		}
	}
	assert.True(t, found, "no %s challenge in %s", scheme, r.wwwAuth)
}
