package core

import "strings"

// scopeClaimOf names the claim that holds the scopes of claims: the one
// Settings.ScopeClaim names, or else scope, or when it is absent scp
// (which ORY Hydra, Entra ID and Okta send).
func (c *claimChecker) scopeClaimOf(claims map[string]any) string {
	if c.scopeClaim != "" {
		return c.scopeClaim
	}
	if claims["scope"] == nil && claims["scp"] != nil {
		return "scp"
	}
	return "scope"
}

// scopeOf reads the token's scopes as one space-separated string, and the
// claim it read them from. The scope claim is a string (RFC 7662, RFC
// 9068); any other may also be an array of strings, as scp often is. A
// missing claim is the 403 of the reference; a claim of another type is
// ErrBadResponse.
func (c *claimChecker) scopeOf(claims map[string]any) (string, string, error) {
	name := c.scopeClaimOf(claims)
	switch x := claims[name].(type) {
	case nil:
		return "", "", &authError{kind: ErrInsufficientScope, desc: c.texts.missingScope, scope: c.scopeError.scope}
	case string:
		return x, name, nil
	case []any:
		if name == "scope" {
			break
		}
		var b strings.Builder
		for _, e := range x {
			s, ok := e.(string)
			if !ok || strings.Contains(s, " ") {
				return "", "", newError(ErrBadResponse, descInvalidClaims, errBadClaimType)
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
		return b.String(), name, nil
	}
	return "", "", newError(ErrBadResponse, descInvalidClaims, errBadClaimType)
}
