package core_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// methodOf names the client authentication a recorded request used.
func methodOf(r btRequest) string {
	switch {
	case r.HasBasic:
		return "client_secret_basic"
	case r.Form.Has("client_assertion"):
		return "private_key_jwt"
	case r.Form.Has("client_secret"):
		return "client_secret_post"
	}
	return "none"
}

// btAuthVia is a resource server trusting as whose introspection calls go
// through a recording proxy; edit adjusts its settings.
func btAuthVia(t *testing.T, as *oidcrstest.Server, edit func(*core.Settings), opts ...core.Option) (*core.ResourceServer, *btRecorder) {
	t.Helper()
	proxy, rec := btProxy(t, as.URL)
	return btRS(t, as, func(s *core.Settings) {
		s.IntrospectionEndpoint = proxy.URL + "/introspect"
		if edit != nil {
			edit(s)
		}
	}, opts...), rec
}

// TestClientAuthChosenFromMetadata: with no method set, the first
// introspection reads introspection_endpoint_auth_methods_supported and
// keeps the choice: client_secret_post when listed or with no list, else
// client_secret_basic.
func TestClientAuthChosenFromMetadata(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		listed []string
		want   string
	}{
		{name: "no list", want: "client_secret_post"},
		{name: "both", listed: []string{"client_secret_basic", "client_secret_post"}, want: "client_secret_post"},
		{name: "Basic only", listed: []string{"client_secret_basic", "private_key_jwt"}, want: "client_secret_basic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON, func(c *oidcrstest.Config) { c.ClientAuthMethods = tc.listed })
			logger, sink := btLogger()
			rs, rec := btAuthVia(t, as, nil, core.WithLogger(logger))
			for range 3 {
				_, err := btAuth(rs, as.Mint(nil))
				require.NoError(t, err)
			}
			reqs := rec.requests()
			require.Len(t, reqs, 3)
			for _, r := range reqs {
				assert.Equal(t, tc.want, methodOf(r))
			}
			assert.Equal(t, int64(1), as.DiscoveryCalls(), "read once, kept")
			if tc.want != "client_secret_post" {
				assert.Contains(t, btLevels(sink.records(t)), "INFO", "a choice other than the reference's is told")
			}
		})
	}
}

// TestClientAuthUnreadableMetadata: with the introspection endpoint set
// and the metadata unreadable, client_secret_post is sent; a server that
// wants Basic refuses it and the client gets 503, never a pass. Once the
// fallback is accepted, discovery is not asked again.
func TestClientAuthUnreadableMetadata(t *testing.T) {
	t.Parallel()
	t.Run("Basic required", func(t *testing.T) {
		t.Parallel()
		as := btAS(t, oidcrstest.JSON, func(c *oidcrstest.Config) { c.ClientAuthMethods = []string{"client_secret_basic"} })
		as.SetDiscoveryFault(&oidcrstest.FaultServerError)
		rs := btRS(t, as, nil)
		_, err := btAuth(rs, as.Mint(nil))
		btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescFetchFailed)
	})
	t.Run("fallback accepted and kept", func(t *testing.T) {
		t.Parallel()
		as := btAS(t, oidcrstest.JSON)
		as.SetDiscoveryFault(&oidcrstest.FaultServerError)
		clock := newBTClock()
		rs := btRS(t, as, nil, core.WithClock(clock.Now))
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		calls := as.DiscoveryCalls()
		require.NotZero(t, calls)
		as.SetDiscoveryFault(nil)
		clock.Advance(time.Minute) // past discovery's own retry bound
		_, err = btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		assert.Equal(t, calls, as.DiscoveryCalls(), "the accepted fallback is kept")
	})
}

// TestClientAuthRefusedLogsOnce: credentials the server refuses (401, or
// 400 invalid_client) give clients 503 and the log one Error per change
// of state, naming the method and never the secret.
func TestClientAuthRefusedLogsOnce(t *testing.T) {
	t.Parallel()
	refusal := map[string]struct {
		status int
		body   string
	}{
		"401": {http.StatusUnauthorized, `{"error":"invalid_client"}`},
		"400": {http.StatusBadRequest, `{"error":"invalid_client","error_description":"client authentication failed"}`},
	}
	for name, r := range refusal {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			logger, sink := btLogger()
			rs := btRS(t, as, func(s *core.Settings) { s.ClientAuth = core.ClientSecretBasic }, core.WithLogger(logger))
			errors := func() int {
				n := 0
				for _, rec := range sink.records(t) {
					if rec["level"] == "ERROR" {
						n++
						assert.Equal(t, "client_secret_basic", rec["method"])
					}
				}
				return n
			}
			btAnswer(as, r.status, "application/json", []byte(r.body))
			for range 3 {
				_, err := btAuth(rs, as.Mint(nil))
				btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescFetchFailed)
			}
			assert.Equal(t, 1, errors(), "one Error when the refusals start")
			as.SetAnswerFunc(nil)
			_, err := btAuth(rs, as.Mint(nil))
			require.NoError(t, err)
			btAnswer(as, r.status, "application/json", []byte(r.body))
			_, err = btAuth(rs, as.Mint(nil))
			require.Error(t, err)
			assert.Equal(t, 2, errors(), "one more when they start again")
			assert.NotContains(t, sink.String(), oidcrstest.DefaultClientSecret)
		})
	}
}

// pkjwtRS is a resource server authenticating with private_key_jwt
// against an AS that accepts only that, and reads our /jwks.
func pkjwtRS(t *testing.T, keyPEM, keyType, encAlg string) (*oidcrstest.Server, *core.ResourceServer, *btRecorder, string) {
	t.Helper()
	var jwks http.Handler
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { jwks.ServeHTTP(w, r) }))
	t.Cleanup(app.Close)
	as := btAS(t, oidcrstest.JSON, func(c *oidcrstest.Config) {
		c.ClientAuthMethods, c.RSJWKSURL = []string{"private_key_jwt"}, app.URL
	})
	rs, rec := btAuthVia(t, as, func(s *core.Settings) {
		s.ClientAuth, s.ClientSecret = core.PrivateKeyJWT, ""
		s.PrivateKey, s.KeyType, s.EncryptionAlgorithm = keyPEM, keyType, encAlg
	})
	jwks = rs.JWKSHandler()
	_, body := btGet(t, app.URL)
	return as, rs, rec, body
}

// TestPrivateKeyJWT: the assertion is RFC 7523's, signed with our first
// key, whose signing JWK /jwks publishes beside the encryption JWK.
func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, keyType, encAlg, sigAlg string }{
		{"RSA", "RSA", "RSA-OAEP", "RS256"},
		{"EC", "EC", "ECDH-ES", "ES256"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			key := btKey(t, btRSAKeyA)
			if tc.keyType == "EC" {
				key = btKey(t, btECKey)
			}
			as, rs, rec, body := pkjwtRS(t, key, tc.keyType, tc.encAlg)
			var set struct{ Keys []map[string]any }
			require.NoError(t, json.Unmarshal([]byte(body), &set))
			require.Len(t, set.Keys, 2)
			assert.Equal(t, "enc", set.Keys[0]["use"])
			assert.Equal(t, tc.encAlg, set.Keys[0]["alg"])
			assert.Equal(t, "sig", set.Keys[1]["use"])
			assert.Equal(t, tc.sigAlg, set.Keys[1]["alg"])
			assert.Equal(t, set.Keys[0]["kid"].(string)+"-sig", set.Keys[1]["kid"])
			assert.NotContains(t, set.Keys[1], "d")

			for range 2 {
				_, err := btAuth(rs, as.Mint(nil))
				require.NoError(t, err)
			}
			reqs := rec.requests()
			require.Len(t, reqs, 2)
			var jtis []any
			for _, r := range reqs {
				assert.Equal(t, "private_key_jwt", methodOf(r))
				assert.False(t, r.Form.Has("client_secret"))
				assert.Equal(t, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", r.Form.Get("client_assertion_type"))
				parts := strings.Split(r.Form.Get("client_assertion"), ".")
				require.Len(t, parts, 3)
				var h, c map[string]any
				for i, v := range []*map[string]any{&h, &c} {
					raw, err := base64.RawURLEncoding.DecodeString(parts[i])
					require.NoError(t, err)
					require.NoError(t, json.Unmarshal(raw, v))
				}
				assert.Equal(t, tc.sigAlg, h["alg"])
				assert.Equal(t, set.Keys[1]["kid"], h["kid"])
				assert.Equal(t, oidcrstest.DefaultClientID, c["iss"])
				assert.Equal(t, oidcrstest.DefaultClientID, c["sub"])
				assert.Equal(t, as.URL, c["aud"], "the issuer identifier, alone")
				assert.InDelta(t, 60, c["exp"].(float64)-c["iat"].(float64), 0)
				jtis = append(jtis, c["jti"])
			}
			assert.NotEqual(t, jtis[0], jtis[1], "a new jti per request")
		})
	}
}

// TestPrivateKeyJWTOnlyWhenSet: without private_key_jwt, /jwks publishes
// the encryption keys alone.
func TestPrivateKeyJWTOnlyWhenSet(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JWT)
	rs := btRS(t, as, nil)
	srv := httptest.NewServer(rs.JWKSHandler())
	t.Cleanup(srv.Close)
	_, body := btGet(t, srv.URL)
	assert.NotContains(t, body, `"sig"`)
	assert.Contains(t, body, `"enc"`)
}
