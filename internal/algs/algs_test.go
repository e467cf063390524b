package algs_test

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/algs"
)

func TestParseSigning(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]jose.SignatureAlgorithm{
		"":                   {jose.RS256},
		"ES256":              {jose.ES256},
		"RS256, ES256":       {jose.RS256, jose.ES256},
		`["RS256", "ES256"]`: {jose.RS256, jose.ES256},
		"PS256 PS256":        {jose.PS256},
	} {
		got, err := algs.ParseSigning(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"HS256", "none", "RS256,HS256", "[]", ","} {
		_, err := algs.ParseSigning(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	a, err := algs.ParseKey("RSA-OAEP", "")
	require.NoError(t, err)
	assert.Equal(t, jose.RSA_OAEP, a)
	_, err = algs.ParseKey("ECDH-ES", "ec")
	assert.NoError(t, err)
	for _, tc := range [][2]string{{"", "RSA"}, {"RSA1_5", "RSA"}, {"RSA-OAEP", "EC"}, {"ECDH-ES", "RSA"}} {
		_, err := algs.ParseKey(tc[0], tc[1])
		assert.Error(t, err, tc)
	}
}
