package wellknown_test

import (
	"context"
	"errors"
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

func TestFind(t *testing.T) {
	t.Parallel()
	const issuer = "https://as.example/tenant"
	docs := map[string]*wellknown.Metadata{}
	get := func(_ context.Context, u string) (*wellknown.Metadata, error) {
		if m, ok := docs[u]; ok {
			return m, nil
		}
		return nil, errors.New("answered HTTP 404 at " + u)
	}
	_, _, err := wellknown.Find(context.Background(), issuer, get)
	assert.EqualError(t, err, "answered HTTP 404 at https://as.example/.well-known/oauth-authorization-server/tenant", "the last URL's error")

	docs["https://as.example/.well-known/oauth-authorization-server/tenant"] = &wellknown.Metadata{Issuer: issuer}
	m, u, err := wellknown.Find(context.Background(), issuer, get)
	require.NoError(t, err)
	assert.Equal(t, issuer, m.Issuer)
	assert.Equal(t, "https://as.example/.well-known/oauth-authorization-server/tenant", u, "RFC 8414 after OpenID discovery")

	docs["https://as.example/tenant/.well-known/openid-configuration"] = &wellknown.Metadata{Issuer: issuer + "/"}
	m, u, err = wellknown.Find(context.Background(), issuer, get)
	assert.ErrorIs(t, err, wellknown.ErrIssuerMismatch, "a trailing slash counts")
	assert.Equal(t, issuer+"/", m.Issuer, "the document comes back to tell the issuer it names")
	assert.Equal(t, "https://as.example/tenant/.well-known/openid-configuration", u, "OpenID discovery first")
}
