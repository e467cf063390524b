package core

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// TokenInfo is a verified introspection answer: a token that is active,
// from the configured issuer, with an accepted scope and an audience. A
// ResourceServer shares one TokenInfo between every request with the same
// token: treat it and its slices as read-only.
//
// It keeps the answer compactly: the fields below, and the other claims as
// one JSON text, decoded only when Claim or Claims asks for them. Pass it
// by pointer: a copy would not share the decoded claims (go vet's
// copylocks check reports one).
type TokenInfo struct {
	// Subject is the sub claim, or "" (client_credentials tokens have none).
	Subject string
	// ClientID is the client_id claim: the client the token was issued to.
	ClientID string
	// Scopes are the token's scopes: from the space-separated scope claim,
	// or scp (a string or an array), or Settings.ScopeClaim.
	Scopes []string
	// Audience holds every value of the audience claim
	// (Settings.AudienceClaim); its first is the origin audience.
	Audience []string
	// Issuer is the iss claim, if any.
	Issuer string
	// ExpiresAt is the exp claim; zero when absent.
	ExpiresAt time.Time

	scope  string                         // the scope claim, as sent; "" when the scopes came from another
	rest   string                         // flags, then the other claims as one JSON object; "" if not built by a check
	bound  *binding                       // cnf: the sender the token is bound to; nil for a bearer token
	claims atomic.Pointer[map[string]any] // the whole answer, decoded on the first Claim
}

// HasScope reports whether the token carries scope.
func (t *TokenInfo) HasScope(scope string) bool {
	return t != nil && slices.Contains(t.Scopes, scope)
}

// OriginAudience is the token's origin audience: the audience claim if it
// is a string, its first element if it is an array. The reference calls
// it resource_server_token_audience.
func (t *TokenInfo) OriginAudience() string {
	if t == nil || len(t.Audience) == 0 {
		return ""
	}
	return t.Audience[0]
}

// Claim returns one claim of the introspection answer (numbers as
// json.Number, objects as map[string]any, arrays as []any). The first call
// on a TokenInfo decodes the whole answer once and keeps it; every request
// with the same token shares it, so never modify a value it returns. A
// TokenInfo built by hand, not by a check, has no claims.
func (t *TokenInfo) Claim(name string) (any, bool) {
	m := t.claimMap()
	v, ok := m[name]
	return v, ok
}

// Claims returns the whole introspection answer, numbers as json.Number:
// a new map on each call, which the caller may change; the values inside
// it (arrays, objects) are shared, as Claim's are. It is nil for a
// TokenInfo built by hand.
func (t *TokenInfo) Claims() map[string]any {
	m := t.claimMap()
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func (t *TokenInfo) claimMap() map[string]any {
	if t == nil || t.rest == "" {
		return nil
	}
	if p := t.claims.Load(); p != nil {
		return *p
	}
	m, err := decodeObject(t.answerJSON())
	if err != nil { // cannot happen: answerJSON writes what a check read
		return nil
	}
	t.claims.CompareAndSwap(nil, &m)
	return *t.claims.Load()
}

// answerJSON writes the whole answer as one JSON object: the members the
// fields hold, then the rest.
func (t *TokenInfo) answerJSON() []byte {
	b := make([]byte, 0, len(t.rest)+len(t.Subject)+len(t.ClientID)+len(t.Issuer)+len(t.scope)+48)
	b = append(b, '{')
	member := func(name, v string) {
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendJSONString(b, v)
		b = append(b, ',')
	}
	for _, m := range [...]struct{ name, v string }{{"sub", t.Subject}, {"client_id", t.ClientID}, {"iss", t.Issuer}} {
		if m.v != "" {
			member(m.name, m.v)
		}
	}
	if t.scope != "" {
		member("scope", t.scope)
	}
	rest := t.rest
	for ; rest != "" && rest[0] != '{'; rest = rest[1:] {
		switch rest[0] {
		case flagActive:
			b = append(b, `"active":true,`...)
		case flagExp:
			b = append(b, `"exp":`...)
			b = strconv.AppendInt(b, t.ExpiresAt.Unix(), 10)
			b = append(b, ',')
		}
	}
	if len(rest) > 2 { // more than "{}"
		return append(b, rest[1:]...)
	}
	b[len(b)-1] = '}'
	return b
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
