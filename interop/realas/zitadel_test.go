package realas_test

import (
	"context"
	"testing"

	"github.com/oidcrs/oidcrs/interop/realas"
)

// TestZitadel runs the cases against the zitadel/oidc v3.52.0 provider of
// interop/zitadel: opaque and JWT access tokens (typ JWT, aud
// [client, rs-zitadel, my-api]). Introspection takes Basic only: the
// resource server leaves OIDC_RS_CLIENT_AUTH_METHOD unset and picks Basic
// from the provider's introspection_endpoint_auth_methods_supported.
func TestZitadel(t *testing.T) {
	t.Parallel()
	const rsID, rsSecret = "rs-zitadel", "rs-zitadel-secret"
	clients := []realas.ZitadelClient{{ID: rsID, Secret: rsSecret}}
	kinds := []string{"opaque", "jwt"}
	for _, kind := range kinds {
		for _, short := range []bool{false, true} {
			c := realas.ZitadelClient{
				ID: zitadelClientID(kind, short), Secret: "secret-" + zitadelClientID(kind, short),
				GrantTypes:      []string{"client_credentials", "authorization_code", "refresh_token"},
				AccessTokenType: kind,
				RedirectURIs:    []string{redirectURI},
			}
			c.Audience = []string{c.ID, rsID, apiAudience}
			if short {
				c.TTLSeconds = shortSeconds
			}
			clients = append(clients, c)
		}
	}
	// A client whose tokens are for the resource server's client only.
	clients = append(clients, realas.ZitadelClient{
		ID: "sp-other", Secret: "secret-sp-other", GrantTypes: []string{"client_credentials"},
		AccessTokenType: "jwt", Audience: []string{"sp-other", rsID},
	})
	z := realas.StartZitadelT(t, clients)
	var targets []target
	for _, kind := range kinds {
		sp, spShort := zitadelClientID(kind, false), zitadelClientID(kind, true)
		targets = append(targets, target{
			name: "zitadel-" + kind, e: z.Endpoints, jwt: kind == "jwt",
			rsID: rsID, rsSecret: rsSecret, sub: sp,
			mint: func(ctx context.Context, scope string, short bool) (realas.Tokens, error) {
				id := sp
				if short {
					id = spShort
				}
				return realas.ClientCredentials(ctx, z.Endpoints, id, "secret-"+id, scope)
			},
			mintOther: func(ctx context.Context) (realas.Tokens, error) {
				return realas.ClientCredentials(ctx, z.Endpoints, "sp-other", "secret-sp-other", "groups")
			},
			code: func(ctx context.Context, subject string) (realas.Tokens, error) {
				return z.CodeFlow(ctx, realas.CodeFlow{
					ClientID: sp, Secret: "secret-" + sp, RedirectURI: redirectURI,
					Scope: "openid offline_access groups", Subject: subject,
				})
			},
			refresh: func(ctx context.Context, rt string) (realas.Tokens, error) {
				return realas.Refresh(ctx, z.Endpoints, sp, "secret-"+sp, rt)
			},
			revoke: func(ctx context.Context, tok string) error {
				return realas.Revoke(ctx, z.Endpoints, sp, "secret-"+sp, tok)
			},
		})
	}
	runTargets(t, z.Close, targets...)
}

func zitadelClientID(kind string, short bool) string {
	if short {
		return "sp-" + kind + "-short"
	}
	return "sp-" + kind
}
