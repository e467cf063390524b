package core_test

import (
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btEnv is a map-backed core.LookupFunc, so that tests stay parallel.
func btEnv(m map[string]string) core.LookupFunc {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

// btEnvFor returns the reference's variables for a JSON resource server
// trusting as, with extra overlaid.
func btEnvFor(as *oidcrstest.Server, extra map[string]string) map[string]string {
	m := map[string]string{
		"OIDC_RS_BACKEND_CLASS":          core.DjangoJSONBackendClass,
		"OIDC_RS_CLIENT_ID":              oidcrstest.DefaultClientID,
		"OIDC_RS_CLIENT_SECRET":          oidcrstest.DefaultClientSecret,
		"OIDC_OP_URL":                    as.URL,
		"OIDC_OP_INTROSPECTION_ENDPOINT": as.IntrospectionURL(),
		"OIDC_RS_SCOPES":                 "groups",
		"OIDC_RS_CACHE_TTL":              "0",
	}
	maps.Copy(m, extra)
	return m
}

// TestSettingsFromEnv reads each variable.
func TestSettingsFromEnv(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, s core.Settings)
		errs  []string // variables the error names; none: no error
	}{
		{name: "Django JSON class path", env: map[string]string{"OIDC_RS_BACKEND_CLASS": core.DjangoJSONBackendClass},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, core.BackendJSON, s.Backend) }},
		{name: "Django JWT class path", env: map[string]string{"OIDC_RS_BACKEND_CLASS": "lasuite.oidc_resource_server.backend.JWTResourceServerBackend"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, core.BackendJWT, s.Backend) }},
		{name: "json", env: map[string]string{"OIDC_RS_BACKEND_CLASS": "json"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, core.BackendJSON, s.Backend) }},
		{name: "jwt", env: map[string]string{"OIDC_RS_BACKEND_CLASS": " jwt "},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, core.BackendJWT, s.Backend) }},
		{name: "unknown backend", env: map[string]string{"OIDC_RS_BACKEND_CLASS": "myapp.Backend"}, errs: []string{"OIDC_RS_BACKEND_CLASS"}},
		{name: "RP credentials as fallback", env: map[string]string{"OIDC_RP_CLIENT_ID": "rp-id", "OIDC_RP_CLIENT_SECRET": "rp-secret"},
			check: func(t *testing.T, s core.Settings) {
				assert.Equal(t, "rp-id", s.ClientID)
				assert.Equal(t, "rp-secret", s.ClientSecret)
			}},
		{name: "RS credentials win", env: map[string]string{"OIDC_RS_CLIENT_ID": "rs-id", "OIDC_RP_CLIENT_ID": "rp-id",
			"OIDC_RS_CLIENT_SECRET": "rs-secret", "OIDC_RP_CLIENT_SECRET": "rp-secret"},
			check: func(t *testing.T, s core.Settings) {
				assert.Equal(t, "rs-id", s.ClientID)
				assert.Equal(t, "rs-secret", s.ClientSecret)
			}},
		{name: "empty RS credentials fall back", env: map[string]string{"OIDC_RS_CLIENT_ID": " ", "OIDC_RP_CLIENT_ID": "rp-id"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, "rp-id", s.ClientID) }},
		{name: "scopes by commas", env: map[string]string{"OIDC_RS_SCOPES": "groups,email"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, []string{"groups", "email"}, s.Scopes) }},
		{name: "scopes by spaces", env: map[string]string{"OIDC_RS_SCOPES": "groups  email"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, []string{"groups", "email"}, s.Scopes) }},
		{name: "scopes by both", env: map[string]string{"OIDC_RS_SCOPES": "groups, email,profile"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, []string{"groups", "email", "profile"}, s.Scopes) }},
		{name: "scopes as a Python list", env: map[string]string{"OIDC_RS_SCOPES": `["groups", 'email']`},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, []string{"groups", "email"}, s.Scopes) }},
		{name: "timeout unset stays zero for New's default", env: map[string]string{},
			check: func(t *testing.T, s core.Settings) { assert.Zero(t, s.Timeout) }},
		{name: "timeout in seconds", env: map[string]string{"OIDC_TIMEOUT": "5"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, 5*time.Second, s.Timeout) }},
		{name: "timeout fractional", env: map[string]string{"OIDC_TIMEOUT": "0.5"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, 500*time.Millisecond, s.Timeout) }},
		{name: "timeout not a number", env: map[string]string{"OIDC_TIMEOUT": "3s"}, errs: []string{"OIDC_TIMEOUT"}},
		{name: "timeout zero", env: map[string]string{"OIDC_TIMEOUT": "0"}, errs: []string{"OIDC_TIMEOUT"}},
		{name: "verify SSL by default", env: map[string]string{},
			check: func(t *testing.T, s core.Settings) { assert.False(t, s.InsecureSkipVerify) }},
		{name: "verify SSL True", env: map[string]string{"OIDC_VERIFY_SSL": "True"},
			check: func(t *testing.T, s core.Settings) { assert.False(t, s.InsecureSkipVerify) }},
		{name: "verify SSL False", env: map[string]string{"OIDC_VERIFY_SSL": "False"},
			check: func(t *testing.T, s core.Settings) { assert.True(t, s.InsecureSkipVerify) }},
		{name: "verify SSL 0", env: map[string]string{"OIDC_VERIFY_SSL": "0"},
			check: func(t *testing.T, s core.Settings) { assert.True(t, s.InsecureSkipVerify) }},
		{name: "verify SSL unreadable", env: map[string]string{"OIDC_VERIFY_SSL": "maybe"}, errs: []string{"OIDC_VERIFY_SSL"}},
		{name: "proxy", env: map[string]string{"OIDC_PROXY": "http://proxy.example:3128"},
			check: func(t *testing.T, s core.Settings) { assert.Equal(t, "http://proxy.example:3128", s.Proxy) }},
		{name: "key with escaped newlines", env: map[string]string{"OIDC_RS_PRIVATE_KEY_STR": `-----BEGIN X-----\nAAAA\n-----END X-----`},
			check: func(t *testing.T, s core.Settings) {
				assert.Equal(t, "-----BEGIN X-----\nAAAA\n-----END X-----", s.PrivateKey)
			}},
		{name: "the other settings", env: map[string]string{"OIDC_OP_URL": "https://as", "OIDC_OP_INTROSPECTION_ENDPOINT": "https://as/i",
			"OIDC_OP_JWKS_ENDPOINT": "https://as/j", "OIDC_RS_AUDIENCE_CLAIM": "aud", "OIDC_RS_SIGNING_ALGO": "ES256",
			"OIDC_RS_ENCRYPTION_ALGO": "RSA-OAEP", "OIDC_RS_ENCRYPTION_ENCODING": "A256GCM", "OIDC_RS_ENCRYPTION_KEY_TYPE": "rsa",
			"OIDC_RS_CLIENT_AUTH_METHOD": "CLIENT_SECRET_BASIC", "OIDC_RS_LEEWAY": "2", "OIDC_RS_REALM": "api"},
			check: func(t *testing.T, s core.Settings) {
				assert.Equal(t, core.Settings{Issuer: "https://as", IntrospectionEndpoint: "https://as/i", JWKSEndpoint: "https://as/j",
					AudienceClaim: "aud", SigningAlgorithm: "ES256", EncryptionAlgorithm: "RSA-OAEP", EncryptionEncoding: "A256GCM",
					KeyType: "RSA", ClientAuth: core.ClientSecretBasic, Leeway: 2 * time.Second, Realm: "api"}, s)
			}},
		{name: "token profiles", env: map[string]string{"OIDC_RS_JWT_TYPES": "at+jwt, JWT none", "OIDC_RS_SCOPE_CLAIM": "scp",
			"OIDC_RS_AUDIENCE": `["my-api", "urn:my:api"]`},
			check: func(t *testing.T, s core.Settings) {
				assert.Equal(t, []string{"at+jwt", "JWT", "none"}, s.JWTTypes)
				assert.Equal(t, "scp", s.ScopeClaim)
				assert.Equal(t, []string{"my-api", "urn:my:api"}, s.Audiences)
			}},
		{name: "cache TTL 0 disables the cache", env: map[string]string{"OIDC_RS_CACHE_TTL": "0"},
			check: func(t *testing.T, s core.Settings) { assert.True(t, s.DisableCache) }},
		{name: "every unreadable value at once", env: map[string]string{"OIDC_RS_BACKEND_CLASS": "x", "OIDC_TIMEOUT": "x",
			"OIDC_VERIFY_SSL": "x", "OIDC_RS_CACHE_SIZE": "-1"},
			errs: []string{"OIDC_RS_BACKEND_CLASS", "OIDC_TIMEOUT", "OIDC_VERIFY_SSL", "OIDC_RS_CACHE_SIZE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := core.SettingsFromEnv(btEnv(tc.env))
			if len(tc.errs) == 0 {
				require.NoError(t, err)
				tc.check(t, s)
				return
			}
			require.Error(t, err)
			for _, n := range tc.errs {
				assert.Contains(t, err.Error(), n)
			}
		})
	}
}

// TestNewFromEnv builds resource servers from the environment and talks
// to the kit, directly, through a TLS front and through a proxy.
func TestNewFromEnv(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	// A TLS front with a certificate no client trusts.
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(btURL(t, as.URL)))
	front.Config.ErrorLog = log.New(io.Discard, "", 0)
	front.StartTLS()
	t.Cleanup(front.Close)
	// A forward proxy that counts what it forwards.
	var proxied atomic.Int64
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := tr.RoundTrip(out)
		if err != nil {
			http.Error(w, "proxy", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(proxy.Close)
	tlsEndpoint := map[string]string{"OIDC_OP_INTROSPECTION_ENDPOINT": front.URL + "/introspect"}
	for _, tc := range []struct {
		name    string
		extra   map[string]string
		kind    error // nil: accepted
		proxied bool
	}{
		{name: "plain", extra: nil},
		{name: "RP credentials", extra: map[string]string{"OIDC_RS_CLIENT_ID": "", "OIDC_RS_CLIENT_SECRET": "",
			"OIDC_RP_CLIENT_ID": oidcrstest.DefaultClientID, "OIDC_RP_CLIENT_SECRET": oidcrstest.DefaultClientSecret}},
		{name: "TLS verified by default", extra: tlsEndpoint, kind: core.ErrUnavailable},
		{name: "TLS with OIDC_VERIFY_SSL=false", extra: btMerge(tlsEndpoint, map[string]string{"OIDC_VERIFY_SSL": "false"})},
		{name: "through OIDC_PROXY", extra: map[string]string{"OIDC_PROXY": proxy.URL}, proxied: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := proxied.Load()
			rs, err := core.NewFromEnv(btEnv(btEnvFor(as, tc.extra)))
			require.NoError(t, err)
			ti, err := btAuth(rs, as.Mint(nil))
			if tc.kind != nil {
				require.ErrorIs(t, err, tc.kind)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
			assert.Equal(t, tc.proxied, proxied.Load() > before)
		})
	}
	t.Run("errors name every variable", func(t *testing.T) {
		rs, err := core.NewFromEnv(btEnv(map[string]string{"OIDC_TIMEOUT": "soon", "OIDC_PROXY": "::"}))
		require.Error(t, err)
		assert.Nil(t, rs)
		for _, n := range []string{"OIDC_TIMEOUT", "OIDC_PROXY", "OIDC_RS_BACKEND_CLASS", "OIDC_OP_URL", "OIDC_RS_SCOPES"} {
			assert.Contains(t, err.Error(), n)
		}
	})
}

func btURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func btMerge(a, b map[string]string) map[string]string {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return m
}
