package main

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// clientConfig is one registered client.
type clientConfig struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
	// GrantTypes: client_credentials, authorization_code, refresh_token.
	GrantTypes []oidc.GrantType `json:"grantTypes"`
	// AccessTokenType is "jwt" (signed, typ JWT) or "opaque".
	AccessTokenType string `json:"accessTokenType"`
	// Audience is the aud of the client's access tokens. A resource server
	// may introspect a token only when its client id is in it.
	Audience []string `json:"audience"`
	// TTLSeconds is the access-token lifetime (0: 3600).
	TTLSeconds int `json:"ttlSeconds"`
	// RedirectURIs of the authorization-code flow.
	RedirectURIs []string `json:"redirectURIs"`
	// AuthMethod is client_secret_basic (default) or client_secret_post.
	AuthMethod oidc.AuthMethod `json:"authMethod"`
}

// client adapts a clientConfig to op.Client.
type client struct{ c clientConfig }

var _ op.Client = client{}

func (c client) GetID() string                       { return c.c.ID }
func (c client) RedirectURIs() []string              { return c.c.RedirectURIs }
func (c client) PostLogoutRedirectURIs() []string    { return nil }
func (c client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c client) AuthMethod() oidc.AuthMethod {
	if c.c.AuthMethod == "" {
		return oidc.AuthMethodBasic
	}
	return c.c.AuthMethod
}
func (c client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c client) GrantTypes() []oidc.GrantType { return c.c.GrantTypes }

// LoginURL sends the browser to the auto-approving login handler.
func (c client) LoginURL(id string) string { return "/login?authRequestID=" + id }

func (c client) AccessTokenType() op.AccessTokenType {
	if c.c.AccessTokenType == "jwt" {
		return op.AccessTokenTypeJWT
	}
	return op.AccessTokenTypeBearer
}
func (c client) IDTokenLifetime() time.Duration { return time.Hour }
func (c client) DevMode() bool                  { return true }
func (c client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c client) IsScopeAllowed(scope string) bool {
	return slices.Contains([]string{"groups", "admin"}, scope)
}
func (c client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c client) ClockSkew() time.Duration             { return 0 }

func (c client) ttl() time.Duration {
	if c.c.TTLSeconds <= 0 {
		return time.Hour
	}
	return time.Duration(c.c.TTLSeconds) * time.Second
}

// audience is the aud of the client's tokens (the client itself when the
// configuration names none).
func (c client) audience() []string {
	if len(c.c.Audience) == 0 {
		return []string{c.c.ID}
	}
	return slices.Clone(c.c.Audience)
}
