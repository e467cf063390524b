package core_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// RFC 9728 protected-resource metadata, the resource_metadata challenge
// parameter and the RFC 8707 audience check.

func TestMetadataDocument(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	key := btKey(t, btECKey)
	for _, tc := range []struct {
		name, resource, path, url string
		key                       bool
	}{
		{"resource with a path", "https://api.example/mcp", "/.well-known/oauth-protected-resource/mcp",
			"https://api.example/.well-known/oauth-protected-resource/mcp", false},
		{"resource without a path", "https://api.example", "/.well-known/oauth-protected-resource",
			"https://api.example/.well-known/oauth-protected-resource", true},
		{"trailing slash", "http://127.0.0.1:8080/", "/.well-known/oauth-protected-resource",
			"http://127.0.0.1:8080/.well-known/oauth-protected-resource", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rs := btRS(t, as, func(s *core.Settings) {
				s.Resource, s.ResourceName = tc.resource, "Demo API"
				if tc.key {
					s.PrivateKey, s.KeyType, s.EncryptionAlgorithm = key, "EC", "ECDH-ES"
				}
			})
			require.Equal(t, tc.path, rs.MetadataPath())
			rs.AdvertiseScopes(core.AnyScope("admin", "groups"))
			rec := httptest.NewRecorder()
			rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
			assert.Contains(t, rec.Header().Get("Cache-Control"), "max-age=")
			var doc map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
			assert.Equal(t, tc.resource, doc["resource"])
			assert.Equal(t, []any{as.URL}, doc["authorization_servers"])
			assert.Equal(t, []any{"groups", "admin"}, doc["scopes_supported"])
			assert.Equal(t, []any{"header"}, doc["bearer_methods_supported"])
			assert.Equal(t, "Demo API", doc["resource_name"])
			_, hasJWKS := doc["jwks_uri"]
			assert.Equal(t, tc.key, hasJWKS, "jwks_uri only with a key")

			_, err := btAuth(rs, "revoked")
			www := rs.ErrorResponse(err).WWWAuthenticate
			assert.Equal(t, `Bearer realm="oidcrs", resource_metadata="`+tc.url+`", error="invalid_token", error_description="Introspected user is not active", scope="groups admin"`+dpopOffer, www)

			rec = httptest.NewRecorder()
			rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, tc.path, nil))
			assert.Equal(t, http.StatusNoContent, rec.Code)
			assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
			assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), "GET")
			rec = httptest.NewRecorder()
			rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tc.path, nil))
			assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
		})
	}
	t.Run("no resource", func(t *testing.T) {
		rs := btRS(t, as, nil)
		assert.Empty(t, rs.MetadataPath())
		rec := httptest.NewRecorder()
		rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-protected-resource", nil))
		assert.Equal(t, http.StatusNotFound, rec.Code)
		_, err := btAuth(rs, "revoked")
		assert.NotContains(t, rs.ErrorResponse(err).WWWAuthenticate, "resource_metadata")
	})
	t.Run("listed authorization servers", func(t *testing.T) {
		rs := btRS(t, as, func(s *core.Settings) {
			s.Resource, s.AuthorizationServers = "https://api.example", []string{"https://a.example", "https://b.example"}
		})
		rec := httptest.NewRecorder()
		rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, rs.MetadataPath(), nil))
		assert.Contains(t, rec.Body.String(), `"authorization_servers":["https://a.example","https://b.example"]`)
	})
}

func TestChallengesPointAtTheMetadata(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.Resource = "https://api.example/mcp" })
	meta := `resource_metadata="https://api.example/.well-known/oauth-protected-resource/mcp"`
	srv := httptest.NewServer(rs.Middleware()(rs.RequireScopes(core.AnyScope("admin"))(perfOK)))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name   string
		auth   []string
		status int
		want   string
	}{
		// A 401 lists scopes_supported: OIDC_RS_SCOPES, then the routes'.
		{"no token", nil, 401, `Bearer realm="oidcrs", ` + meta + `, scope="groups admin"` + dpopOffer},
		{"bad token", []string{"Bearer revoked"}, 401, `Bearer realm="oidcrs", ` + meta + `, error="invalid_token", error_description="Introspected user is not active", scope="groups admin"` + dpopOffer},
		{"missing scope", []string{"Bearer " + as.Mint(map[string]any{"aud": "https://api.example/mcp"})}, 403,
			`Bearer realm="oidcrs", ` + meta + `, error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="groups admin"`},
		{"malformed", []string{"Bearer "}, 400, `Bearer realm="oidcrs", error="invalid_request", error_description="Invalid Authorization header."`},
	} {
		resp, _ := btGet(t, srv.URL, tc.auth...)
		assert.Equal(t, tc.status, resp.StatusCode, tc.name)
		assert.Equal(t, tc.want, resp.Header.Get("WWW-Authenticate"), tc.name)
	}
}

// TestResourceAudience: with OIDC_RS_RESOURCE, an introspected token's aud
// must contain it, in both backends; without it, nothing changes.
func TestResourceAudience(t *testing.T) {
	t.Parallel()
	const resource = "https://api.example/mcp"
	for _, mode := range btModes {
		as := btAS(t, mode)
		rs := btRS(t, as, func(s *core.Settings) { s.Resource = resource })
		plain := btRS(t, as, nil)
		for _, tc := range []struct {
			name string
			aud  any
			ok   bool
		}{
			{"string aud", resource, true},
			{"array aud", []string{"https://other.example", resource}, true},
			{"missing aud", nil, false},
			{"another resource", "https://api.example/other", false},
			{"a prefix is not the resource", "https://api.example", false},
		} {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				tok := as.Mint(map[string]any{"aud": tc.aud})
				_, err := btAuth(rs, tok)
				if tc.ok {
					require.NoError(t, err)
				} else {
					btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescWrongResource)
				}
				_, err = btAuth(plain, tok)
				require.NoError(t, err, "without a resource, aud is not checked (the reference's behaviour)")
			})
		}
	}
}

func TestMetadataEnvironment(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	env := btEnvFor(as, map[string]string{
		"OIDC_RS_RESOURCE":               "https://api.example/mcp",
		"OIDC_RS_AUTHORIZATION_SERVERS":  "https://a.example, https://b.example",
		"OIDC_RS_RESOURCE_NAME":          "Demo",
		"OIDC_RS_RESOURCE_DOCUMENTATION": "https://docs.example/api",
	})
	st, err := core.SettingsFromEnv(btEnv(env))
	require.NoError(t, err)
	assert.Equal(t, []string{"https://a.example", "https://b.example"}, st.AuthorizationServers)
	assert.Equal(t, "Demo", st.ResourceName)
	assert.Equal(t, "https://docs.example/api", st.ResourceDocumentation)
	require.NoError(t, st.Validate())
	for name, bad := range map[string]string{"OIDC_RS_RESOURCE": "https://api.example/#frag", "OIDC_RS_AUTHORIZATION_SERVERS": "not-a-url",
		"OIDC_RS_RESOURCE_DOCUMENTATION": "ftp://x"} {
		e := btMerge(env, map[string]string{name: bad})
		_, err := core.NewFromEnv(btEnv(e))
		assert.ErrorContains(t, err, name)
	}
}

// TestMetadataDPoP: the metadata says which DPoP proof algorithms the
// server takes (RFC 9728 section 2), and that it takes nothing else under
// OIDC_RS_DPOP=required; with DPoP off it says neither.
func TestMetadataDPoP(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	for mode, want := range map[core.DPoPMode]map[string]any{
		core.DPoPAllowed:  {"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "PS256", "RS256", "EdDSA"}},
		core.DPoPRequired: {"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "PS256", "RS256", "EdDSA"}, "dpop_bound_access_tokens_required": true},
		core.DPoPOff:      {},
	} {
		rs := btRS(t, as, func(s *core.Settings) { s.Resource, s.DPoP = "https://api.example/mcp", mode })
		rec := httptest.NewRecorder()
		rs.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, rs.MetadataPath(), nil))
		var doc map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		got := map[string]any{}
		for k, v := range doc {
			if strings.HasPrefix(k, "dpop_") {
				got[k] = v
			}
		}
		assert.Equal(t, want, got, "%s", mode)
	}
}
