package suite_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/interop/asproc"
)

// pkjwtClient registers c at node oidc-provider with private_key_jwt and
// no secret: the AS verifies its assertions with the keys of its app's
// /jwks.
func pkjwtClient(c rsClient) map[string]any {
	m := c.metadata()
	delete(m, "client_secret")
	m["token_endpoint_auth_method"] = "private_key_jwt"
	m["jwks_uri"] = c.app.URL + "/jwks"
	return m
}

// pkjwtEnv is c's environment with private_key_jwt and no secret.
func pkjwtEnv(as *asproc.AS, c rsClient) map[string]string {
	e := c.env(as, map[string]string{
		"OIDC_RS_CLIENT_AUTH_METHOD":  "private_key_jwt",
		"OIDC_RS_PRIVATE_KEY_STR":     c.pem,
		"OIDC_RS_ENCRYPTION_KEY_TYPE": c.keyType,
		"OIDC_RS_ENCRYPTION_ALGO":     c.encAlg,
		"OIDC_RS_CACHE_TTL":           "0", // every request introspects: a new assertion each time
	})
	delete(e, "OIDC_RS_CLIENT_SECRET")
	return e
}

// TestPrivateKeyJWT: node oidc-provider accepts our client assertions,
// verified with the use "sig" keys it fetches from our /jwks, with JSON
// and with RFC 9701 answers (the same key decrypts them), RSA and EC.
func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	clients := []rsClient{
		{id: "rs-pkjwt-json-rsa", keyType: "RSA", encAlg: "RSA-OAEP", pem: rsaKeyPEM(t, 0), app: newAppServer(t)},
		{id: "rs-pkjwt-json-ec", keyType: "EC", encAlg: "ECDH-ES", pem: ecKeyPEM(t), app: newAppServer(t)},
		jwtClient(t, "rs-pkjwt-jwt-rsa"),
	}
	cfg := asproc.Config{Clients: []map[string]any{spClient()}, Scopes: []string{"groups", "admin"}}
	for _, c := range clients {
		cfg.Clients = append(cfg.Clients, pkjwtClient(c))
	}
	as := asproc.StartT(t, cfg)
	for _, c := range clients {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			c.app.serve(netHTTPApp(newRS(t, pkjwtEnv(as, c))))
			for range 2 { // two assertions: oidc-provider refuses a jti twice
				tok, sub := mint(t, as, "groups", time.Hour)
				assertAccepted(t, call(t, c.app.URL, "/me", tok), sub)
			}
			assertRejected(t, call(t, c.app.URL, "/me", "never-issued"), http.StatusUnauthorized, "invalid_token")
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestClientAuthRefused: node oidc-provider refusing our credentials
// gives clients 503, never invalid_token, and the log one Error naming
// the method, never the secret.
func TestClientAuthRefused(t *testing.T) {
	t.Parallel()
	asproc.SkipUnlessAvailable(t)
	c := jsonClient("rs-refused")
	as := asproc.StartT(t, asConfig(c))
	for _, method := range []string{"client_secret_post", "client_secret_basic"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			const wrong = "not-the-secret-of-rs-refused"
			s, err := core.SettingsFromEnv(func(name string) (string, bool) {
				v, ok := c.env(as, map[string]string{"OIDC_RS_CLIENT_SECRET": wrong,
					"OIDC_RS_CLIENT_AUTH_METHOD": method, "OIDC_RS_CACHE_TTL": "0"})[name]
				return v, ok
			})
			require.NoError(t, err)
			var logs syncBuffer
			rs, err := core.New(s, core.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
			require.NoError(t, err)
			app := newAppServer(t)
			app.serve(netHTTPApp(rs))
			for range 3 {
				tok, _ := mint(t, as, "groups", time.Hour)
				assertUnavailable(t, call(t, app.URL, "/me", tok))
			}
			var errors []map[string]any
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
				if rec["level"] == "ERROR" {
					errors = append(errors, rec)
				}
			}
			require.Len(t, errors, 1, "one Error for the change of state: %s", logs.String())
			assert.Equal(t, method, errors[0]["method"])
			assert.Equal(t, "invalid_client", errors[0]["error"])
			assert.NotContains(t, logs.String(), wrong)
		})
	}
}
