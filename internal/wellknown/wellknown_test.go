package wellknown_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/wellknown"
)

func TestURLs(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{
		"https://as.example/.well-known/openid-configuration",
		"https://as.example/.well-known/oauth-authorization-server",
	}, wellknown.URLs("https://as.example/"))
	assert.Equal(t, []string{
		"https://as.example/tenant/.well-known/openid-configuration",
		"https://as.example/.well-known/oauth-authorization-server/tenant",
	}, wellknown.URLs("https://as.example/tenant"))
}

func TestDecode(t *testing.T) {
	t.Parallel()
	m, err := wellknown.Decode([]byte(`{"issuer":"https://as.example","jwks_uri":"https://as.example/jwks","x":1}`))
	require.NoError(t, err)
	assert.Equal(t, wellknown.Metadata{Issuer: "https://as.example", JWKSURI: "https://as.example/jwks"}, *m)
	_, err = wellknown.Decode([]byte(`[1]`))
	assert.ErrorIs(t, err, wellknown.ErrNotObject)
}
