package core_test

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btGoodSettings returns valid settings of backend b, with no server
// behind them.
func btGoodSettings(t *testing.T, b core.Backend) core.Settings {
	st := core.Settings{Backend: b, ClientID: "rs", ClientSecret: "s3cr3t-value", Issuer: "https://as.example",
		IntrospectionEndpoint: "https://as.example/introspect", Scopes: []string{"groups"}}
	if b == core.BackendJWT {
		st.JWKSEndpoint, st.SigningAlgorithm = "https://as.example/jwks", "ES256"
		st.EncryptionAlgorithm, st.EncryptionEncoding = "RSA-OAEP", "A256GCM"
		st.PrivateKey, st.KeyType = btKey(t, btRSAKeyA), "RSA"
	}
	return st
}

// TestValidate checks that Validate reports every problem at once, each
// naming its setting, and never panics.
func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		backend core.Backend
		edit    func(*core.Settings)
		names   []string // settings the error must name; none: valid
	}{
		{name: "JSON valid", backend: core.BackendJSON},
		{name: "JWT valid", backend: core.BackendJWT},
		{name: "zero value", edit: func(s *core.Settings) { *s = core.Settings{} },
			names: []string{"OIDC_RS_BACKEND_CLASS", "OIDC_RS_CLIENT_ID", "OIDC_RS_CLIENT_SECRET", "OIDC_OP_URL",
				"OIDC_RS_SCOPES"}},
		{name: "JWT without its settings", backend: core.BackendJWT, edit: func(s *core.Settings) {
			s.JWKSEndpoint, s.SigningAlgorithm, s.EncryptionAlgorithm, s.EncryptionEncoding, s.PrivateKey = "", "", "", "", ""
		}, names: []string{"OIDC_RS_SIGNING_ALGO", "OIDC_RS_ENCRYPTION_ALGO",
			"OIDC_RS_ENCRYPTION_ENCODING", "OIDC_RS_PRIVATE_KEY_STR"}},
		{name: "unknown backend", edit: func(s *core.Settings) { s.Backend = "xml" }, names: []string{"OIDC_RS_BACKEND_CLASS"}},
		{name: "URLs not absolute http(s)", edit: func(s *core.Settings) {
			s.Issuer, s.IntrospectionEndpoint, s.Proxy = "as.example", "ftp://as.example/x", "::nope"
		}, names: []string{"OIDC_OP_URL", "OIDC_OP_INTROSPECTION_ENDPOINT", "OIDC_PROXY"}},
		{name: "invalid scope", edit: func(s *core.Settings) { s.Scopes = []string{"ok", `bad"quote`} }, names: []string{"OIDC_RS_SCOPES"}},
		{name: "invalid realm", edit: func(s *core.Settings) { s.Realm = "a\"b" }, names: []string{"OIDC_RS_REALM"}},
		{name: "unknown client auth", edit: func(s *core.Settings) { s.ClientAuth = "tls_client_auth" }, names: []string{"OIDC_RS_CLIENT_AUTH_METHOD"}},
		{name: "private_key_jwt without a key", edit: func(s *core.Settings) { s.ClientAuth, s.ClientSecret = core.PrivateKeyJWT, "" },
			names: []string{"OIDC_RS_PRIVATE_KEY_STR"}},
		{name: "negative durations", edit: func(s *core.Settings) { s.Timeout, s.Leeway, s.CacheTTL = -1, -time.Second, -1 },
			names: []string{"OIDC_TIMEOUT", "OIDC_RS_LEEWAY", "OIDC_RS_CACHE_TTL"}},
		{name: "HMAC signing refused", backend: core.BackendJWT, edit: func(s *core.Settings) { s.SigningAlgorithm = "HS256" },
			names: []string{"OIDC_RS_SIGNING_ALGO"}},
		{name: "none signing refused", backend: core.BackendJWT, edit: func(s *core.Settings) { s.SigningAlgorithm = "none" },
			names: []string{"OIDC_RS_SIGNING_ALGO"}},
		{name: "unknown encoding", backend: core.BackendJWT, edit: func(s *core.Settings) { s.EncryptionEncoding = "A1GCM" },
			names: []string{"OIDC_RS_ENCRYPTION_ENCODING"}},
		{name: "garbage key with no algorithm", backend: core.BackendJWT, edit: func(s *core.Settings) { s.PrivateKey, s.EncryptionAlgorithm = "x", "" },
			names: []string{"OIDC_RS_ENCRYPTION_ALGO"}},
		{name: "garbage key", backend: core.BackendJWT, edit: func(s *core.Settings) { s.PrivateKey = "garbage" },
			names: []string{"OIDC_RS_PRIVATE_KEY_STR"}},
		{name: "many problems at once", backend: core.BackendJWT, edit: func(s *core.Settings) {
			s.ClientID, s.Issuer, s.Scopes, s.SigningAlgorithm, s.Timeout = "", "", nil, "HS256", -1
		}, names: []string{"OIDC_RS_CLIENT_ID", "OIDC_OP_URL", "OIDC_RS_SCOPES", "OIDC_RS_SIGNING_ALGO", "OIDC_TIMEOUT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := btGoodSettings(t, btOrBackend(tc.backend))
			if tc.edit != nil {
				tc.edit(&st)
			}
			var err error
			require.NotPanics(t, func() { err = st.Validate() })
			if len(tc.names) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, n := range tc.names {
				assert.Contains(t, err.Error(), n)
			}
			assert.NotContains(t, err.Error(), "s3cr3t-value")
		})
	}
}

func btOrBackend(b core.Backend) core.Backend {
	if b == "" {
		return core.BackendJSON
	}
	return b
}

// TestSettingsRedaction checks that printing or logging settings never
// shows the client secret, the private key or proxy credentials.
func TestSettingsRedaction(t *testing.T) {
	t.Parallel()
	st := btGoodSettings(t, core.BackendJWT)
	st.Proxy = "http://user:proxy-pass@proxy.example:3128"
	pemText := st.PrivateKey
	secrets := append([]string{"s3cr3t-value", "proxy-pass", "PRIVATE KEY"}, btKeyMaterial(pemText)...)
	logged := func() string {
		logger, sink := btLogger()
		logger.Info("settings", "settings", st)
		logger.Info("pointer", slog.Any("settings", &st))
		return sink.String()
	}
	for _, tc := range []struct {
		name string
		out  func() string
		want []string
	}{
		{"String", st.String, []string{"[REDACTED]", "rs", "https://as.example/introspect"}},
		{"fmt %v", func() string { return fmt.Sprintf("%v", st) }, []string{"[REDACTED]"}},
		{"fmt %+v of a pointer", func() string { return fmt.Sprintf("%+v", &st) }, []string{"[REDACTED]"}},
		{"fmt %#v", func() string { return fmt.Sprintf("%#v", st) }, []string{"[REDACTED]"}},
		{"fmt %#v inside a struct", func() string { return fmt.Sprintf("%#v", struct{ S core.Settings }{st}) }, []string{"[REDACTED]"}},
		{"slog JSON handler", logged, []string{`"OIDC_RS_CLIENT_SECRET":"[REDACTED]"`, `"OIDC_RS_PRIVATE_KEY_STR":"[REDACTED]"`, `"OIDC_RS_CLIENT_ID":"rs"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := tc.out()
			for _, s := range secrets {
				assert.NotContains(t, out, s)
			}
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
		})
	}
	t.Run("original unchanged", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, "s3cr3t-value", st.ClientSecret)
		assert.Equal(t, pemText, st.PrivateKey)
	})
}

// TestSettingsDefaults checks the defaults New applies.
func TestSettingsDefaults(t *testing.T) {
	t.Parallel()
	rs := btRS(t, btAS(t, oidcrstest.JSON), nil)
	got := rs.Settings()
	assert.Equal(t, core.DefaultTimeout, got.Timeout)
	assert.Equal(t, 3*time.Second, got.Timeout)
	assert.Equal(t, "client_id", got.AudienceClaim)
	assert.Empty(t, got.ClientAuth, "chosen from the metadata on the first introspection")
	assert.Equal(t, "oidcrs", got.Realm)
	assert.Equal(t, 60*time.Second, got.JWTMaxAge)
	assert.False(t, got.InsecureSkipVerify)
	assert.Zero(t, got.Leeway)
}
