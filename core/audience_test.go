package core_test

import (
	"net/http"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestAudiencesWithoutResource: a server whose audiences are not URIs
// (OIDC_RS_AUDIENCE) is checked locally with no OIDC_RS_RESOURCE, and the
// one audience rule holds for its JWT access tokens and, in hybrid mode,
// for its introspection answers alike.
func TestAudiencesWithoutResource(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{SigningAlg: jose.ES256, Resource: "my-api"})
	local := as.AccessTokenSettings()
	local.Resource, local.Audiences = "", []string{"other-api", "my-api"}
	hybrid := as.Settings("")
	hybrid.LocalJWT, hybrid.SigningAlgorithm, hybrid.Audiences = true, "ES256", []string{"other-api", "my-api"}
	for name, st := range map[string]core.Settings{"local": local, "hybrid": hybrid} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rs, err := core.New(st)
			require.NoError(t, err)
			_, err = btAuth(rs, as.MintAccessToken(nil, nil))
			require.NoError(t, err)
			_, err = btAuth(rs, as.MintAccessToken(map[string]any{"aud": []string{"x", "other-api"}}, nil))
			require.NoError(t, err)
			for _, aud := range []any{"https://rs.example/api", nil, []string{"x"}, "my-api "} {
				_, err = btAuth(rs, as.MintAccessToken(map[string]any{"aud": aud}, nil))
				btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescWrongResource)
			}
			if name == "hybrid" {
				_, err = btAuth(rs, as.Mint(map[string]any{"aud": "my-api"}))
				require.NoError(t, err)
				_, err = btAuth(rs, as.Mint(nil))
				btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescWrongResource)
			}
			assert.Empty(t, rs.Settings().Resource, "no resource: no RFC 9728 metadata, no resource_metadata in challenges")
		})
	}
}
