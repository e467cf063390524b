package core_test

import (
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Behind a TLS-terminating proxy the client certificate comes in the
// header Settings.ClientCertHeader names, in the forms proxies write; the
// header is then the only source: the connection's own certificate (here
// the proxy's, as the test server sees it) counts for nothing.
func TestForwardedClientCert(t *testing.T) {
	t.Parallel()
	pki := cbNewPKI(t)
	srv := cbServeTLS(t, pki)
	as := btAS(t, oidcrstest.JSON)
	srv.serve(btRS(t, as, func(s *core.Settings) { s.ClientCertHeader = "X-SSL-Client-Cert" }))
	bound := as.Mint(map[string]any{"cnf": cbCnf(pki.a)})
	pemA := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.a.Certificate[0]}))
	b64A := base64.StdEncoding.EncodeToString(pki.a.Certificate[0])
	pemB := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.b.Certificate[0]}))

	accepted := map[string][]string{
		"URL-encoded PEM (nginx)":  {url.PathEscape(pemA)},
		"base64 DER":               {b64A},
		"URL-encoded base64 DER":   {url.QueryEscape(b64A)},
		"URL-encoded PEM, spaced":  {" " + url.PathEscape(pemA) + " "},
		"PEM of a chain, leaf one": {url.PathEscape(pemA + pemB)},
	}
	refused := map[string][]string{
		"absent":              nil,
		"another certificate": {url.PathEscape(pemB)},
		"twice":               {b64A, b64A},
		"empty":               {""},
		"not base64":          {"not a certificate"},
		"PEM of a key":        {url.PathEscape(string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pki.a.Certificate[0]})))},
		"bad escape":          {"%zz" + b64A},
		"base64url DER":       {base64.RawURLEncoding.EncodeToString(pki.a.Certificate[0]) + "_-"},
	}
	// The TLS connection presents b, or a: neither is read.
	for conn, c := range map[string]*http.Client{"conn b": srv.client(t, &pki.b), "conn a": srv.client(t, &pki.a)} {
		for name, v := range accepted {
			h := cbBearer(bound)
			h["X-Ssl-Client-Cert"] = v
			status, _, body := cbDo(t, c, srv.URL, h)
			assert.Equal(t, http.StatusOK, status, "%s, %s: %s", conn, name, body)
		}
		for name, v := range refused {
			h := cbBearer(bound)
			if v != nil {
				h["X-Ssl-Client-Cert"] = v
			}
			status, challenge, body := cbDo(t, c, srv.URL, h)
			t.Run(conn+", "+name, func(t *testing.T) { cbRefused(t, status, challenge, body, "Bearer") })
		}
	}
}

// The forwarded header is read from a Request's Header whether its keys
// are canonical (net/http) or lower case (gRPC metadata).
func TestForwardedClientCertHeaderKeys(t *testing.T) {
	t.Parallel()
	pki := cbNewPKI(t)
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.ClientCertHeader = "x-client-cert" })
	bound := as.Mint(map[string]any{"cnf": cbCnf(pki.a)})
	der := base64.StdEncoding.EncodeToString(pki.a.Certificate[0])
	for _, h := range []http.Header{{"X-Client-Cert": {der}}, {"x-client-cert": {der}}} {
		_, err := rs.AuthenticateRequest(t.Context(), core.Request{Authorization: []string{"Bearer " + bound}, Header: h})
		require.NoError(t, err, "%v", h)
	}
	_, err := rs.AuthenticateRequest(t.Context(), core.Request{Authorization: []string{"Bearer " + bound},
		Header: http.Header{"X-Other": {der}}})
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescCertBinding)
}

// OIDC_RS_CLIENT_CERT_HEADER is read from the environment, is off by
// default, and must be a header field name.
func TestClientCertHeaderSetting(t *testing.T) {
	t.Parallel()
	env := func(v string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			m := map[string]string{"OIDC_RS_BACKEND_CLASS": "jwt-access-token", "OIDC_OP_URL": "https://as.example",
				"OIDC_OP_JWKS_ENDPOINT": "https://as.example/jwks", "OIDC_RS_RESOURCE": "https://api.example",
				"OIDC_RS_SCOPES": "groups", "OIDC_RS_CLIENT_CERT_HEADER": v}
			s, ok := m[name]
			return s, ok && s != ""
		}
	}
	s, err := core.SettingsFromEnv(env(""))
	require.NoError(t, err)
	assert.Empty(t, s.ClientCertHeader)

	s, err = core.SettingsFromEnv(env("X-SSL-Client-Cert"))
	require.NoError(t, err)
	assert.Equal(t, "X-SSL-Client-Cert", s.ClientCertHeader)
	require.NoError(t, s.Validate())

	for _, bad := range []string{"X Client Cert", "X-Cert:", "X-Cert\n", "Zertifikat-ä", "(cert)"} {
		s.ClientCertHeader = bad
		err := s.Validate()
		require.Error(t, err, "%q", bad)
		assert.Contains(t, err.Error(), "OIDC_RS_CLIENT_CERT_HEADER", "%q", bad)
	}
}
