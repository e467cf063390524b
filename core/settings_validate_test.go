package core_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// TestValidateNamesEachSetting: every problem carries its setting's name
// in its type, so that the oidcrs command never reads it from the text.
func TestValidateNamesEachSetting(t *testing.T) {
	t.Parallel()
	s := core.Settings{Backend: core.BackendJWT, Issuer: "not a url", Scopes: []string{"groups"}, SigningAlgorithm: "HS256"}
	names := map[string]bool{}
	for _, p := range setting.Split(s.Validate()) {
		name := setting.NameOf(p)
		require.NotEmpty(t, name, "a problem without a name: %v", p)
		assert.Contains(t, p.Error(), name+": ")
		names[name] = true
	}
	for _, want := range []string{"OIDC_RS_CLIENT_ID", "OIDC_RS_CLIENT_SECRET", "OIDC_OP_URL", "OIDC_RS_SIGNING_ALGO",
		"OIDC_RS_ENCRYPTION_ENCODING", "OIDC_RS_PRIVATE_KEY_STR", "OIDC_RS_ENCRYPTION_ALGO"} {
		assert.True(t, names[want], "no problem names %s: %v", want, names)
	}
}

// TestValidateSigningAlgList: OIDC_RS_SIGNING_ALGO is read with the one
// list parser, a Python list literal included.
func TestValidateSigningAlgList(t *testing.T) {
	t.Parallel()
	s := core.Settings{Backend: core.BackendJWTAccessToken, Issuer: "https://as.example", Resource: "https://api.example/",
		Scopes: []string{"groups"}}
	for _, v := range []string{`["RS256", "ES256"]`, "RS256, ES256", "RS256 ES256"} {
		s.SigningAlgorithm = v
		assert.NoError(t, s.Validate(), v)
	}
	s.SigningAlgorithm = `["RS256", "HS256"]`
	err := s.Validate()
	require.Error(t, err)
	assert.Equal(t, "OIDC_RS_SIGNING_ALGO", setting.NameOf(setting.Split(err)[0]))
}

// TestValidateTokenProfiles: OIDC_RS_JWT_TYPES takes only the types it
// knows, and local checking needs OIDC_RS_RESOURCE or OIDC_RS_AUDIENCE.
func TestValidateTokenProfiles(t *testing.T) {
	t.Parallel()
	s := core.Settings{Backend: core.BackendJWTAccessToken, Issuer: "https://as.example", Resource: "https://api.example/",
		Scopes: []string{"groups"}}
	for _, types := range [][]string{{"at+jwt"}, {"application/at+jwt", "JWT", "application/jwt", "none"}, {"AT+JWT", "jwt", "NONE"}} {
		s.JWTTypes = types
		assert.NoError(t, s.Validate(), types)
	}
	for _, bad := range []string{"JOSE", "application/x/at+jwt", "id_token", "application/none"} {
		s.JWTTypes = []string{"at+jwt", bad}
		err := s.Validate()
		require.Error(t, err, bad)
		assert.Equal(t, "OIDC_RS_JWT_TYPES", setting.NameOf(setting.Split(err)[0]))
	}
	s.JWTTypes = nil

	s.Resource, s.Audiences = "", []string{"my-api"}
	assert.NoError(t, s.Validate(), "an audience suffices to check JWT access tokens")
	s.Audiences = nil
	err := s.Validate()
	require.Error(t, err)
	assert.Equal(t, "OIDC_RS_RESOURCE", setting.NameOf(setting.Split(err)[0]))
	assert.ErrorContains(t, err, "OIDC_RS_AUDIENCE")
	s.Audiences = []string{"my\napi"}
	err = s.Validate()
	require.Error(t, err)
	assert.Equal(t, "OIDC_RS_AUDIENCE", setting.NameOf(setting.Split(err)[0]))
	s.Audiences, s.Resource, s.ScopeClaim = nil, "https://api.example/", "sc p"
	err = s.Validate()
	require.Error(t, err)
	assert.Equal(t, "OIDC_RS_SCOPE_CLAIM", setting.NameOf(setting.Split(err)[0]))
}
