package core

import (
	"context"
	"slices"
	"time"
)

// TokenInfo is a verified introspection answer. A ResourceServer may share
// one TokenInfo between requests with the same token: treat it as
// read-only.
type TokenInfo struct {
	// Active is always true on a TokenInfo returned by Authenticate.
	Active bool
	// Subject is the sub claim, or "" (client_credentials tokens have none).
	Subject string
	// ClientID is the client_id claim: the client the token was issued to.
	ClientID string
	// Username is the username claim, if any.
	Username string
	// TokenType is the token_type claim, if any.
	TokenType string
	// Scopes are the token's scopes, from the space-separated scope claim.
	Scopes []string
	// Audience holds every value of the audience claim
	// (Settings.AudienceClaim).
	Audience []string
	// OriginAudience is the token's origin audience: the audience claim if
	// it is a string, its first element if it is an array. The reference
	// calls it resource_server_token_audience.
	OriginAudience string
	// Issuer is the iss claim, if any.
	Issuer string
	// ExpiresAt is the exp claim; zero when absent.
	ExpiresAt time.Time
	// IssuedAt is the iat claim; zero when absent.
	IssuedAt time.Time
	// NotBefore is the nbf claim; zero when absent.
	NotBefore time.Time
	// Claims holds the whole introspection answer, numbers as json.Number.
	Claims map[string]any
}

// HasScope reports whether the token carries scope.
func (t *TokenInfo) HasScope(scope string) bool {
	return t != nil && slices.Contains(t.Scopes, scope)
}

type contextKey struct{ name string }

var (
	tokenInfoKey = &contextKey{"token-info"}
	userKey      = &contextKey{"user"}
)

// NewContext returns a copy of ctx carrying ti.
func NewContext(ctx context.Context, ti *TokenInfo) context.Context {
	return context.WithValue(ctx, tokenInfoKey, ti)
}

// FromContext returns the TokenInfo stored by NewContext, if any.
func FromContext(ctx context.Context) (*TokenInfo, bool) {
	ti, ok := ctx.Value(tokenInfoKey).(*TokenInfo)
	return ti, ok && ti != nil
}

// OriginAudienceFromContext returns the origin audience of the token in ctx,
// or "".
func OriginAudienceFromContext(ctx context.Context) string {
	if ti, ok := FromContext(ctx); ok {
		return ti.OriginAudience
	}
	return ""
}

// NewUserContext returns a copy of ctx carrying the user returned by the
// UserLookup hook.
func NewUserContext(ctx context.Context, user any) context.Context {
	return context.WithValue(ctx, userKey, user)
}

// UserFromContext returns the user stored by NewUserContext, if any.
func UserFromContext(ctx context.Context) (any, bool) {
	u := ctx.Value(userKey)
	return u, u != nil
}
