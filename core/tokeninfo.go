package core

import (
	"context"
	"slices"
	"time"
)

// TokenInfo is a verified introspection answer: a token that is active,
// from the configured issuer, with an accepted scope and an audience. A
// ResourceServer shares one TokenInfo between requests with the same token:
// treat it, its slices and its Claims as read-only.
type TokenInfo struct {
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

// newContext returns a copy of ctx carrying ti.
func newContext(ctx context.Context, ti *TokenInfo) context.Context {
	return context.WithValue(ctx, tokenInfoKey, ti)
}

// FromContext returns the TokenInfo that Authenticate verified, if any.
func FromContext(ctx context.Context) (*TokenInfo, bool) {
	ti, ok := ctx.Value(tokenInfoKey).(*TokenInfo)
	return ti, ok && ti != nil
}

// newUserContext returns a copy of ctx carrying the user returned by the
// UserLookup hook.
func newUserContext(ctx context.Context, user any) context.Context {
	return context.WithValue(ctx, userKey, user)
}

// UserFromContext returns the user that the WithUserLookup hook found for
// the request, if any.
func UserFromContext(ctx context.Context) (any, bool) {
	u := ctx.Value(userKey)
	return u, u != nil
}
