package realas_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/interop/realas"
)

// TestHydra runs the cases against ORY Hydra v2.3.0 with its default JWT
// scope claim (scp, an array): opaque access tokens and JWT ones (typ JWT),
// chosen per client. Introspection is on the admin port and absent from
// discovery: OIDC_OP_INTROSPECTION_ENDPOINT is set by hand.
func TestHydra(t *testing.T) {
	t.Parallel()
	h := realas.StartHydraT(t, realas.HydraConfig{})
	runTargets(t, h.Close,
		hydraTarget(t, h, "hydra-opaque", "opaque", "scp"),
		hydraTarget(t, h, "hydra-jwt", "jwt", "scp"))
}

// TestHydraScopeBoth runs the cases against Hydra writing both scope
// claims into its JWT access tokens (STRATEGIES_JWT_SCOPE_CLAIM=both).
func TestHydraScopeBoth(t *testing.T) {
	t.Parallel()
	h := realas.StartHydraT(t, realas.HydraConfig{AccessToken: "jwt", ScopeClaim: "both"})
	runTargets(t, h.Close, hydraTarget(t, h, "hydra-jwt-both", "jwt", ""))
}

// hydraTarget registers a service provider (and its short-lived twin) whose
// access tokens follow strategy, with the audience my-api.
func hydraTarget(t *testing.T, h *realas.Hydra, name, strategy, scopeClaim string) target {
	ctx := context.Background()
	sp := "sp-" + name
	for _, id := range []string{sp, sp + "-short"} {
		meta := map[string]any{
			"client_id": id, "client_secret": "secret-" + id,
			"grant_types":                []string{"client_credentials", "authorization_code", "refresh_token"},
			"response_types":             []string{"code"},
			"scope":                      "openid offline_access groups admin",
			"audience":                   []string{apiAudience},
			"redirect_uris":              []string{redirectURI},
			"token_endpoint_auth_method": "client_secret_basic",
			"access_token_strategy":      strategy,
		}
		if id != sp {
			meta["client_credentials_grant_access_token_lifespan"] = fmt.Sprintf("%ds", shortSeconds)
		}
		require.NoError(t, h.CreateClient(ctx, meta))
	}
	// The admin API's introspection asks for no client authentication;
	// the settings still name a client, as for any server.
	const rs = "rs-hydra"
	return target{
		name: name, e: h.Endpoints, jwt: strategy == "jwt",
		rsID: rs, rsSecret: rs + "-secret", sub: sp, scopeClaim: scopeClaim,
		mint: func(ctx context.Context, scope string, short bool) (realas.Tokens, error) {
			id := sp
			if short {
				id = sp + "-short"
			}
			return h.ClientCredentials(ctx, id, "secret-"+id, scope, apiAudience)
		},
		mintOther: func(ctx context.Context) (realas.Tokens, error) {
			return h.ClientCredentials(ctx, sp, "secret-"+sp, "groups") // aud: []
		},
		code: func(ctx context.Context, subject string) (realas.Tokens, error) {
			return h.CodeFlow(ctx, realas.CodeFlow{
				ClientID: sp, Secret: "secret-" + sp, RedirectURI: redirectURI,
				Scope: "openid offline_access groups", Subject: subject, Audience: []string{apiAudience},
			})
		},
		refresh: func(ctx context.Context, rt string) (realas.Tokens, error) {
			return h.Refresh(ctx, sp, "secret-"+sp, rt)
		},
		revoke: func(ctx context.Context, tok string) error {
			return h.Revoke(ctx, sp, "secret-"+sp, tok)
		},
	}
}
