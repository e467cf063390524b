package core

import (
	"errors"
	"strings"
)

// scopeClaimOf names the claim that holds the scopes of claims: setting
// (Settings.ScopeClaim) when set, or else scope, or when it is absent scp
// (which ORY Hydra, Entra ID and Okta send).
func scopeClaimOf(setting string, claims map[string]any) string {
	if setting != "" {
		return setting
	}
	if claims["scope"] == nil && claims["scp"] != nil {
		return "scp"
	}
	return "scope"
}

// errNoScopeClaim is a token without its scope claim: the caller answers
// the reference's 403.
var errNoScopeClaim = errors.New("the scope claim is missing")

// scopeOf reads the token's scopes as one space-separated string, and the
// claim it read them from (see scopeClaimOf). The scope claim is a string
// (RFC 7662, RFC 9068); any other may also be an array of strings, as scp
// often is. A missing claim is errNoScopeClaim; a claim of another type
// is ErrBadResponse.
func scopeOf(setting string, claims map[string]any) (string, string, error) {
	name := scopeClaimOf(setting, claims)
	switch x := claims[name].(type) {
	case nil:
		return "", "", errNoScopeClaim
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
