package core_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// cbRefused asserts a 401 invalid_token for a certificate that does not
// match, on the challenge of scheme ("Bearer" or "DPoP").
func cbRefused(t testing.TB, status int, challenge, body, scheme string) {
	t.Helper()
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.True(t, strings.HasPrefix(challenge, scheme+" realm="), "challenge %q", challenge)
	assert.Contains(t, challenge, `error="invalid_token"`)
	e := btErrorBody(t, body)
	assert.Equal(t, "invalid_token", e["error"])
	assert.Equal(t, core.DescCertBinding, e["error_description"])
}

// A certificate-bound token is accepted on a TLS connection whose client
// presented that certificate, and on no other: another certificate, or
// none, is 401 invalid_token on the Bearer challenge. Through both
// introspection backends and the local JWT check.
func TestCertBoundTokenOverTLS(t *testing.T) {
	t.Parallel()
	pki := cbNewPKI(t)
	type setup struct {
		name string
		rs   func(t *testing.T) (*core.ResourceServer, func(claims map[string]any) string)
	}
	setups := []setup{}
	for _, mode := range btModes {
		setups = append(setups, setup{"introspection " + string(mode), func(t *testing.T) (*core.ResourceServer, func(map[string]any) string) {
			as := btAS(t, mode)
			return btRS(t, as, nil), as.Mint
		}})
	}
	setups = append(setups, setup{"local JWT", func(t *testing.T) (*core.ResourceServer, func(map[string]any) string) {
		as := btAS(t, oidcrstest.JSON)
		rs, err := core.New(as.AccessTokenSettings())
		require.NoError(t, err)
		return rs, func(c map[string]any) string { return as.MintAccessToken(c, nil) }
	}})
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv := cbServeTLS(t, pki)
			rs, mint := s.rs(t)
			srv.serve(rs)
			bound := mint(map[string]any{"cnf": cbCnf(pki.a)})
			withA, withB, without := srv.client(t, &pki.a), srv.client(t, &pki.b), srv.client(t, nil)

			status, _, body := cbDo(t, withA, srv.URL, cbBearer(bound))
			require.Equal(t, http.StatusOK, status, body)
			assert.Equal(t, oidcrstest.DefaultSubject, body)

			status, challenge, body := cbDo(t, withB, srv.URL, cbBearer(bound))
			cbRefused(t, status, challenge, body, "Bearer")
			status, challenge, body = cbDo(t, without, srv.URL, cbBearer(bound))
			cbRefused(t, status, challenge, body, "Bearer")

			// A client certificate takes nothing from an unbound token.
			plain := mint(nil)
			for _, c := range []*http.Client{withA, withB, without} {
				status, _, body = cbDo(t, c, srv.URL, cbBearer(plain))
				assert.Equal(t, http.StatusOK, status, body)
			}
		})
	}
}

// The binding is checked on every request, the token's verdict cached or
// not: the cache holds the token's answer, never the certificate's.
func TestCertBoundTokenCachedVerdict(t *testing.T) {
	t.Parallel()
	pki := cbNewPKI(t)
	srv := cbServeTLS(t, pki)
	as := btAS(t, oidcrstest.JSON)
	srv.serve(btRS(t, as, func(s *core.Settings) { s.DisableCache = false }))
	bound := as.Mint(map[string]any{"cnf": cbCnf(pki.a)})
	withA, withB := srv.client(t, &pki.a), srv.client(t, &pki.b)

	for range 2 {
		status, _, body := cbDo(t, withA, srv.URL, cbBearer(bound))
		require.Equal(t, http.StatusOK, status, body)
		status, challenge, body := cbDo(t, withB, srv.URL, cbBearer(bound))
		cbRefused(t, status, challenge, body, "Bearer")
	}
	assert.Equal(t, int64(1), as.IntrospectionCalls(), "the answer was cached")
}

// A token bound to a DPoP key and to a certificate needs both: its proof
// and that certificate. A token bound to a certificate alone is not a DPoP
// token.
func TestCertAndDPoPBoundToken(t *testing.T) {
	t.Parallel()
	pki := cbNewPKI(t)
	srv := cbServeTLS(t, pki)
	as := btAS(t, oidcrstest.JSON)
	srv.serve(btRS(t, as, func(s *core.Settings) { s.ExternalURL = srv.URL }))
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	both := as.Mint(map[string]any{"cnf": map[string]any{"jkt": cbJKT(t, key), "x5t#S256": cbThumb(pki.a)}})
	withA, withB := srv.client(t, &pki.a), srv.client(t, &pki.b)
	dpop := func(token string) http.Header {
		return http.Header{"Authorization": {"DPoP " + token}, "Dpop": {cbProof(t, key, srv.URL+"/", token)}}
	}

	status, _, body := cbDo(t, withA, srv.URL+"/", dpop(both))
	require.Equal(t, http.StatusOK, status, body)

	status, challenge, body := cbDo(t, withB, srv.URL+"/", dpop(both))
	cbRefused(t, status, challenge, body, "DPoP")

	// Its certificate without its proof: a sender-constrained token sent
	// as Bearer.
	status, challenge, body = cbDo(t, withA, srv.URL+"/", cbBearer(both))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.True(t, strings.HasPrefix(challenge, "Bearer realm="), challenge)
	assert.Equal(t, "invalid_token", btErrorBody(t, body)["error"])

	certOnly := as.Mint(map[string]any{"cnf": cbCnf(pki.a)})
	status, challenge, body = cbDo(t, withA, srv.URL+"/", dpop(certOnly))
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.True(t, strings.HasPrefix(challenge, "DPoP realm="), challenge)
	assert.Equal(t, "invalid_token", btErrorBody(t, body)["error"])
}

// A request's TLS state reaches the decision through AuthenticateRequest
// too, as the RPC adapters give it.
func TestCertBoundAuthenticateRequest(t *testing.T) {
	t.Parallel()
	pki := cbNewPKI(t)
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, nil)
	bound := as.Mint(map[string]any{"cnf": cbCnf(pki.a)})
	state := func(c tls.Certificate) *tls.ConnectionState {
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		require.NoError(t, err)
		return &tls.ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}
	}
	req := core.Request{Method: "POST", Path: "/pkg.Svc/Call", Authorization: []string{"Bearer " + bound}}

	req.TLS = state(pki.a)
	_, err := rs.AuthenticateRequest(t.Context(), req)
	require.NoError(t, err)

	for name, s := range map[string]*tls.ConnectionState{"other": state(pki.b), "none": nil, "empty": {}} {
		req.TLS = s
		_, err := rs.AuthenticateRequest(t.Context(), req)
		btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescCertBinding)
		assert.True(t, strings.HasPrefix(rs.ErrorResponse(err).WWWAuthenticate, "Bearer "), name)
	}
	// Authenticate knows no certificate: the token is refused.
	_, err = rs.Authenticate(t.Context(), []string{"Bearer " + bound})
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescCertBinding)
}
