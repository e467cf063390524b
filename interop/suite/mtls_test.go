package suite_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/tlstest"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// The client whose tokens the AS binds to its certificate.
const (
	mtlsID     = "sp-mtls"
	mtlsSecret = "sp-mtls-secret"
)

// TestCertificateBoundTokens runs node oidc-provider's certificate-bound
// access tokens (RFC 8705 section 3, features.mTLS) through resource
// servers behind TLS: an opaque token checked by JSON introspection and by
// RFC 9701 introspection (signed, then encrypted answers), and an at+jwt
// checked locally, each accepted from the client that presented the
// certificate the AS bound it to, and refused, 401 invalid_token on the
// Bearer challenge, with another certificate or none. The AS computes
// cnf.x5t#S256 on its own: a match proves the two agree on the thumbprint.
// Behind a TLS-terminating proxy, the certificate comes in the header
// OIDC_RS_CLIENT_CERT_HEADER names.
func TestCertificateBoundTokens(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	jsonRS := jsonClient("rs-mtls")
	jwtRS := jwtClient(t, "rs-mtls-jwt")
	cfg := asConfig(jsonRS, jwtRS)
	cfg.Clients = append(cfg.Clients, asproc.CertBoundClient(mtlsID, mtlsSecret, "openid groups admin"))
	cfg.ResourceServers = map[string]asproc.ResourceServer{resourceFor("RS256"): {Scope: "groups admin", Alg: "RS256"}}
	as := asproc.StartT(t, cfg)
	// The AS fetches rs-mtls-jwt's key from this app, to encrypt its
	// RFC 9701 answers; the cases run on servers of their own.
	jwtRS.app.serve(netHTTPApp(newRS(t, jwtRS.env(as, nil))))
	ca := tlstest.NewCA(t)
	certA, certB, pool := ca.Client(t, "client a"), ca.Client(t, "client b"), ca.Pool()

	mint := func(resource string) string {
		ctx := context.Background()
		defer throttle(ctx)()
		tok, err := as.ClientCredentialsWithCert(ctx, mtlsID, mtlsSecret, "groups", resource, certA.Certificate[0])
		require.NoError(t, err)
		return tok
	}
	opaque, jwt := mint(""), mint(resourceFor("RS256"))
	require.Len(t, strings.Split(jwt, "."), 3, "an at+jwt")
	cnf, _ := jwsSegment(t, jwt, 1)["cnf"].(map[string]any)
	require.NotEmpty(t, cnf["x5t#S256"], "the AS bound the JWT to the certificate")

	cases := []struct {
		name  string
		env   map[string]string
		token string
	}{
		{"introspection", jsonRS.env(as, nil), opaque},
		{"RFC 9701", jwtRS.env(as, nil), opaque},
		{"local JWT", accessTokenEnv(as, "RS256", nil), jwt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := mtlsServer(t, newRS(t, c.env), pool)
			for _, v := range []struct {
				name string
				cert *tls.Certificate
				want int
			}{{"its certificate", &certA, http.StatusOK}, {"another", &certB, http.StatusUnauthorized}, {"none", nil, http.StatusUnauthorized}} {
				status, challenge, body := mtlsGet(t, mtlsClient(t, srv, v.cert), srv.URL, c.token, nil)
				assertBinding(t, v.want, status, challenge, body, v.name)
			}
		})
		t.Run(c.name+"/forwarded", func(t *testing.T) {
			env := map[string]string{"OIDC_RS_CLIENT_CERT_HEADER": "X-SSL-Client-Cert"}
			for k, v := range c.env {
				env[k] = v
			}
			srv := mtlsServer(t, newRS(t, env), pool)
			client := mtlsClient(t, srv, &certB) // the proxy's connection: not read
			for _, v := range []struct {
				name   string
				header []string
				want   int
			}{
				{"its certificate", []string{asproc.EscapedPEM(certA.Certificate[0])}, http.StatusOK},
				{"another", []string{asproc.EscapedPEM(certB.Certificate[0])}, http.StatusUnauthorized},
				{"none", nil, http.StatusUnauthorized},
			} {
				status, challenge, body := mtlsGet(t, client, srv.URL, c.token, v.header)
				assertBinding(t, v.want, status, challenge, body, v.name)
			}
		})
	}
}

// assertBinding checks an answer: want 200, or 401 invalid_token on the
// Bearer challenge.
func assertBinding(t *testing.T, want, status int, challenge, body, name string) {
	t.Helper()
	require.Equal(t, want, status, "%s: %s", name, body)
	if want == http.StatusOK {
		assert.Equal(t, mtlsID, body, name)
		return
	}
	assert.True(t, strings.HasPrefix(challenge, "Bearer realm="), "%s: %s", name, challenge)
	var e map[string]string
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	assert.Equal(t, "invalid_token", e["error"], name)
	assert.Contains(t, e["error_description"], "client certificate", name)
}

// mtlsServer serves rs's middleware over TLS, asking for a client
// certificate of pool's CA, in front of a handler that writes the token's
// client_id.
func mtlsServer(t *testing.T, rs *core.ResourceServer, pool *x509.CertPool) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, _ := core.FromContext(r.Context())
		_, _ = io.WriteString(w, ti.ClientID)
	})))
	srv.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// mtlsClient is a client of srv presenting cert (none when nil).
func mtlsClient(t *testing.T, srv *httptest.Server, cert *tls.Certificate) *http.Client {
	t.Helper()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	if cert != nil {
		tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// mtlsGet sends GET u with token as Bearer and the forwarded certificate
// header's values; it returns the status, the challenge and the body.
func mtlsGet(t *testing.T, c *http.Client, u, token string, forwarded []string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	for _, v := range forwarded {
		req.Header.Add("X-SSL-Client-Cert", v)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)
}
