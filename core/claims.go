package core

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"
)

// claimChecker turns an introspection answer into a TokenInfo, with the
// reference's checks in its order: active, iss, scope, audience, then the
// time claims.
type claimChecker struct {
	issuer        string
	audienceClaim string
	scopes        []string
	scopeError    *Error // the 403 for a token without OIDC_RS_SCOPES
	leeway        time.Duration
}

func newClaimChecker(s Settings) *claimChecker {
	return &claimChecker{
		issuer:        s.Issuer,
		audienceClaim: s.AudienceClaim,
		scopes:        s.Scopes,
		scopeError:    &Error{Kind: ErrInsufficientScope, Description: DescScopesMismatch, Scope: strings.Join(s.Scopes, " ")},
		leeway:        s.Leeway,
	}
}

var (
	errActiveNotBool = errors.New("active is missing or not a JSON boolean")
	errBadClaimType  = errors.New("a registered claim has the wrong JSON type")
	errIssuer        = errors.New("iss does not match OIDC_OP_URL")
	errAudienceType  = errors.New("audience claim is not a string or an array of strings")
)

// check validates claims, decoded with json.Number, at now.
func (c *claimChecker) check(claims map[string]any, now time.Time) (*TokenInfo, error) {
	active, ok := claims["active"].(bool)
	if !ok {
		return nil, newError(ErrBadResponse, DescInvalidClaims, errActiveNotBool)
	}
	if !active {
		return nil, &Error{Kind: ErrInvalidToken, Description: DescInactive}
	}
	ti := &TokenInfo{Active: true, Claims: claims}
	var err error
	if ti.Issuer, err = optString(claims, "iss"); err != nil {
		return nil, err
	}
	if ti.Issuer != "" && ti.Issuer != c.issuer {
		return nil, newError(ErrInvalidToken, DescInvalidClaims, errIssuer)
	}
	scope, present := claims["scope"]
	if !present || scope == nil {
		return nil, &Error{Kind: ErrInsufficientScope, Description: DescMissingScope, Scope: c.scopeError.Scope}
	}
	scopeStr, ok := scope.(string)
	if !ok {
		return nil, newError(ErrBadResponse, DescInvalidClaims, errBadClaimType)
	}
	ti.Scopes = strings.Fields(scopeStr)
	if !sharesOne(ti.Scopes, c.scopes) {
		return nil, c.scopeError
	}
	if err := c.audience(ti, claims[c.audienceClaim]); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"sub", &ti.Subject}, {"client_id", &ti.ClientID}, {"username", &ti.Username}, {"token_type", &ti.TokenType}} {
		if *f.dst, err = optString(claims, f.name); err != nil {
			return nil, err
		}
	}
	if ti.ExpiresAt, ti.NotBefore, ti.IssuedAt, err = checkTimes(claims, now, c.leeway); err != nil {
		return nil, err
	}
	return ti, nil
}

func (c *claimChecker) audience(ti *TokenInfo, v any) error {
	missing := &Error{Kind: ErrInvalidToken, Description: DescMissingAudience}
	switch a := v.(type) {
	case nil:
		return missing
	case string:
		if a == "" {
			return missing
		}
		ti.Audience, ti.OriginAudience = []string{a}, a
		return nil
	case []any:
		if len(a) == 0 {
			return missing
		}
		auds := make([]string, len(a))
		for i, x := range a {
			s, ok := x.(string)
			if !ok || s == "" {
				return newError(ErrInvalidToken, DescMissingAudience, errAudienceType)
			}
			auds[i] = s
		}
		ti.Audience, ti.OriginAudience = auds, auds[0]
		return nil
	}
	return newError(ErrInvalidToken, DescMissingAudience, errAudienceType)
}

// checkTimes checks exp, nbf and iat when present, with leeway.
func checkTimes(claims map[string]any, now time.Time, leeway time.Duration) (exp, nbf, iat time.Time, err error) {
	if exp, err = optTime(claims, "exp"); err != nil {
		return
	}
	if nbf, err = optTime(claims, "nbf"); err != nil {
		return
	}
	if iat, err = optTime(claims, "iat"); err != nil {
		return
	}
	switch {
	case !exp.IsZero() && !now.Before(exp.Add(leeway)):
		err = &Error{Kind: ErrInvalidToken, Description: DescExpired}
	case !nbf.IsZero() && now.Add(leeway).Before(nbf):
		err = &Error{Kind: ErrInvalidToken, Description: DescNotYetValid}
	case !iat.IsZero() && now.Add(leeway).Before(iat):
		err = &Error{Kind: ErrInvalidToken, Description: DescNotYetValid}
	}
	return
}

func optString(claims map[string]any, name string) (string, error) {
	switch v := claims[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", newError(ErrBadResponse, DescInvalidClaims, errBadClaimType)
}

// optTime reads a NumericDate (RFC 7519 section 2), zero when absent.
func optTime(claims map[string]any, name string) (time.Time, error) {
	v, ok := claims[name]
	if !ok || v == nil {
		return time.Time{}, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, newError(ErrBadResponse, DescInvalidClaims, errBadClaimType)
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, newError(ErrBadResponse, DescInvalidClaims, errBadClaimType)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

func sharesOne(have, want []string) bool {
	for _, w := range want {
		for _, h := range have {
			if h == w {
				return true
			}
		}
	}
	return false
}
