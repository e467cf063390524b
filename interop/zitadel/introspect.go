package main

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if c, ok := s.clients[id]; ok {
		return c, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if c, ok := s.clients[id]; ok && subtle.ConstantTimeCompare([]byte(c.c.Secret), []byte(secret)) == 1 {
		return nil
	}
	return errBadCredential
}

func (s *storage) ClientCredentials(ctx context.Context, id, secret string) (op.Client, error) {
	if err := s.AuthorizeClientIDSecret(ctx, id, secret); err != nil {
		return nil, err
	}
	return s.clients[id], nil
}

// ClientCredentialsTokenRequest keeps the requested scopes the provider
// knows; the token's audience is the client's configured one.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, id string, scopes []string) (op.TokenRequest, error) {
	c := s.clients[id]
	var keep []string
	for _, sc := range scopes {
		if sc == oidc.ScopeOpenID || c.IsScopeAllowed(sc) {
			keep = append(keep, sc)
		}
	}
	return &ccRequest{clientID: id, audience: c.audience(), scopes: keep}, nil
}

// SetIntrospectionFromToken answers for a live access token, and only to a
// client named in its audience, as ZITADEL does.
func (s *storage) SetIntrospectionFromToken(_ context.Context, r *oidc.IntrospectionResponse, tokenID, _, clientID string) error {
	s.mu.Lock()
	t, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || !time.Now().Before(t.expires) || !slices.Contains(t.audience, clientID) {
		return errNotFound
	}
	r.Issuer = s.issuer
	r.Subject = t.subject
	r.ClientID = t.clientID
	r.Audience = t.audience
	r.Scope = t.scopes
	r.Expiration = oidc.FromTime(t.expires)
	r.IssuedAt = oidc.FromTime(t.issued)
	r.JWTID = t.id
	r.TokenType = oidc.BearerToken
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, u *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok || !time.Now().Before(t.expires) {
		return errNotFound
	}
	u.Subject = t.subject
	return nil
}

// GetPrivateClaimsFromScopes puts the granted scopes into JWT access
// tokens as a space-separated "scope" claim: op's JWTs carry none of their
// own (op passes the scopes here with openid, profile and the like removed).
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, _, _ string, scopes []string) (map[string]any, error) {
	if len(scopes) == 0 {
		return nil, nil
	}
	return map[string]any{"scope": strings.Join(scopes, " ")}, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errNotFound
}
