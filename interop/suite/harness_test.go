package suite_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// Test-only credentials of the throwaway authorization server.
const (
	spID     = "sp-client" // the service provider the tokens are issued to
	spSecret = "sp-client-secret"
	rsScopes = "groups" // OIDC_RS_SCOPES of every resource server
)

// The reference's backend class paths, written out as a user would.
const (
	jsonBackendClass = "lasuite.oidc_resource_server.backend.ResourceServerBackend"
	jwtBackendClass  = "lasuite.oidc_resource_server.backend.JWTResourceServerBackend"
)

// appServer is an httptest server on 127.0.0.1 whose handler is set later:
// it must exist before the authorization server starts (its URL is a
// client's jwks_uri), while the app it serves needs the running AS.
type appServer struct {
	*httptest.Server
	h atomic.Pointer[http.Handler]
}

func newAppServer(t *testing.T) *appServer {
	t.Helper()
	s := &appServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := s.h.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "app not ready", http.StatusServiceUnavailable)
	}))
	t.Cleanup(s.Close)
	return s
}

// serve swaps in h, for example a resource server rebuilt with new keys.
func (s *appServer) serve(h http.Handler) { s.h.Store(&h) }

// rsClient is one resource server's registration at the AS and the
// settings it runs with.
type rsClient struct {
	id      string
	jwt     bool
	sigAlg  string // OIDC_RS_SIGNING_ALGO
	encAlg  string // OIDC_RS_ENCRYPTION_ALGO
	enc     string // OIDC_RS_ENCRYPTION_ENCODING
	keyType string // OIDC_RS_ENCRYPTION_KEY_TYPE
	pem     string // OIDC_RS_PRIVATE_KEY_STR
	app     *appServer
}

func (c rsClient) secret() string { return c.id + "-secret" }

// metadata is the client's oidc-provider registration; a JWT client's
// jwks_uri is its app server's /jwks.
func (c rsClient) metadata() map[string]any {
	m := map[string]any{
		"client_id":                  c.id,
		"client_secret":              c.secret(),
		"grant_types":                []string{},
		"response_types":             []string{},
		"redirect_uris":              []string{},
		"token_endpoint_auth_method": "client_secret_post",
	}
	if c.jwt {
		m["introspection_signed_response_alg"] = c.sigAlg
		m["introspection_encrypted_response_alg"] = c.encAlg
		m["introspection_encrypted_response_enc"] = c.enc
		m["jwks_uri"] = c.app.URL + "/jwks"
	}
	return m
}

// env is the environment a user would set for this resource server, with
// the reference's variable names; extra entries override.
func (c rsClient) env(as *asproc.AS, extra map[string]string) map[string]string {
	e := map[string]string{
		"OIDC_RS_BACKEND_CLASS":          jsonBackendClass,
		"OIDC_RS_CLIENT_ID":              c.id,
		"OIDC_RS_CLIENT_SECRET":          c.secret(),
		"OIDC_OP_URL":                    as.URL,
		"OIDC_OP_INTROSPECTION_ENDPOINT": as.IntrospectionURL(),
		"OIDC_RS_SCOPES":                 rsScopes,
		// Generous: on a busy machine a healthy answer can take seconds,
		// and a timeout would be a 503. No case waits for it: an AS that
		// is down refuses connections at once.
		"OIDC_TIMEOUT": "60",
	}
	if c.jwt {
		e["OIDC_RS_BACKEND_CLASS"] = jwtBackendClass
		e["OIDC_OP_JWKS_ENDPOINT"] = as.JWKSURL()
		e["OIDC_RS_SIGNING_ALGO"] = c.sigAlg
		e["OIDC_RS_ENCRYPTION_ALGO"] = c.encAlg
		e["OIDC_RS_ENCRYPTION_ENCODING"] = c.enc
		e["OIDC_RS_PRIVATE_KEY_STR"] = c.pem
		e["OIDC_RS_ENCRYPTION_KEY_TYPE"] = c.keyType
	}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

// newRS builds a resource server from env through core.SettingsFromEnv, as
// an application reading its environment would.
func newRS(t *testing.T, env map[string]string) *core.ResourceServer {
	t.Helper()
	s, err := core.SettingsFromEnv(func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	})
	require.NoError(t, err)
	rs, err := core.New(s)
	require.NoError(t, err)
	return rs
}

// jwtClient is the default JWT resource server of the common cases.
func jwtClient(t *testing.T, id string) rsClient {
	return rsClient{id: id, jwt: true, sigAlg: "RS256", encAlg: "RSA-OAEP", enc: "A256GCM",
		keyType: "RSA", pem: rsaKeyPEM(t, 0), app: newAppServer(t)}
}

func jsonClient(id string) rsClient { return rsClient{id: id} }

// spClient is the service provider whose users' tokens reach the RS.
func spClient() map[string]any {
	return map[string]any{
		"client_id":                  spID,
		"client_secret":              spSecret,
		"grant_types":                []string{"client_credentials"},
		"response_types":             []string{},
		"redirect_uris":              []string{},
		"token_endpoint_auth_method": "client_secret_post",
		"scope":                      "openid groups admin",
	}
}

// asConfig is the AS configuration of a test: the SP plus the clients.
func asConfig(clients ...rsClient) asproc.Config {
	meta := []map[string]any{spClient()}
	for _, c := range clients {
		meta = append(meta, c.metadata())
	}
	return asproc.Config{Clients: meta, Scopes: []string{"groups", "admin"}}
}

// Keys are generated once per test binary: RSA generation is slow under
// -race, and nothing requires distinct keys across tests.
var (
	keyMu   sync.Mutex
	rsaPEMs = map[int]string{}
	ecPEM   string
)

// rsaKeyPEM returns the n-th RSA-2048 test key as PKCS#8 PEM.
func rsaKeyPEM(t *testing.T, n int) string {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if p, ok := rsaPEMs[n]; ok {
		return p
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p := pkcs8PEM(t, k)
	rsaPEMs[n] = p
	return p
}

// ecKeyPEM returns the P-256 test key as PKCS#8 PEM.
func ecKeyPEM(t *testing.T) string {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if ecPEM == "" {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		ecPEM = pkcs8PEM(t, k)
	}
	return ecPEM
}

func pkcs8PEM(t *testing.T, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// escapedPEM writes a PEM on one line with literal \n, as in a .env file.
func escapedPEM(p string) string { return strings.ReplaceAll(p, "\n", `\n`) }
