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
