package core

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// claimChecker turns an introspection answer into a TokenInfo, with the
// reference's checks in its order: active, iss, scope, audience, then the
// time claims.
type claimChecker struct {
	issuer        string
	requireIssuer bool   // JSON backend: iss is essential, as in the reference
	accessToken   bool   // RFC 9068 claims: no active member
	resource      string // when set, aud must contain it (RFC 8707)
	audienceClaim string
	scopes        []string
	scopeError    *authError // the 403 for a token without OIDC_RS_SCOPES
	leeway        time.Duration
}

func newClaimChecker(s Settings) *claimChecker {
	return &claimChecker{
		issuer:        s.Issuer,
		requireIssuer: s.Backend != BackendJWT,
		audienceClaim: s.AudienceClaim,
		resource:      s.Resource,
		scopes:        s.Scopes,
		scopeError:    &authError{kind: ErrInsufficientScope, desc: descScopesMismatch, scope: strings.Join(s.Scopes, " ")},
		leeway:        s.Leeway,
	}
}

var (
	errActiveNotBool = errors.New("active is missing or not a JSON boolean")
	errIssuer        = errors.New("iss does not match OIDC_OP_URL")
	errNoIssuer      = errors.New("iss is missing")
	errAudienceType  = errors.New("audience claim is not a non-empty string or array of non-empty strings")
)

// check validates claims, decoded with json.Number, at now.
func (c *claimChecker) check(claims map[string]any, now time.Time) (*TokenInfo, error) {
	if !c.accessToken {
		active, ok := claims["active"].(bool)
		if !ok {
			return nil, newError(ErrBadResponse, descInvalidClaims, errActiveNotBool)
		}
		if !active {
			return nil, &authError{kind: ErrInvalidToken, desc: descInactive}
		}
	}
	var v verified
	var err error
	if v.issuer, err = optString(claims, "iss"); err != nil {
		return nil, err
	}
	// The JWT backend checked the envelope's iss instead; an inner iss, when
	// present, must still agree.
	if v.issuer == "" && c.requireIssuer {
		return nil, newError(ErrInvalidToken, descInvalidClaims, errNoIssuer)
	}
	if v.issuer != "" && v.issuer != c.issuer {
		return nil, newError(ErrInvalidToken, descInvalidClaims, errIssuer)
	}
	if c.resource != "" {
		if aud, ok := parseAudience(claims["aud"]); !ok || !slices.Contains(aud, c.resource) {
			return nil, newError(ErrInvalidToken, descWrongResource, errTokenAudience)
		}
	}
	scope, present := claims["scope"]
	if !present || scope == nil {
		return nil, &authError{kind: ErrInsufficientScope, desc: descMissingScope, scope: c.scopeError.scope}
	}
	var ok bool
	if v.scope, ok = scope.(string); !ok {
		return nil, newError(ErrBadResponse, descInvalidClaims, errBadClaimType)
	}
	if !sharesOne(v.scope, c.scopes) {
		return nil, c.scopeError
	}
	if v.audience, err = c.audience(claims[c.audienceClaim]); err != nil {
		return nil, err
	}
	if v.subject, err = optString(claims, "sub"); err != nil {
		return nil, err
	}
	if v.clientID, err = optString(claims, "client_id"); err != nil {
		return nil, err
	}
	// username and token_type stay in the rest of the answer; their type
	// is checked all the same.
	for _, name := range [...]string{"username", "token_type"} {
		if _, err = optString(claims, name); err != nil {
			return nil, err
		}
	}
	if v.expires, _, _, err = checkTimes(claims, now, c.leeway); err != nil {
		return nil, err
	}
	return c.compact(claims, v)
}

// audience reads the configured audience claim; its first value is the
// origin audience.
func (c *claimChecker) audience(v any) ([]string, error) {
	if v == nil {
		return nil, &authError{kind: ErrInvalidToken, desc: descMissingAudience}
	}
	auds, ok := parseAudience(v)
	if !ok {
		return nil, newError(ErrInvalidToken, descMissingAudience, errAudienceType)
	}
	return auds, nil
}

// splitScopeClaim splits a scope claim on the space character only, as
// RFC 6749 section 3.3 and the reference (scope.split(" ")) do, dropping
// empty parts. Any other white space (TAB, NBSP, U+3000, ...) stays inside
// a scope, so that "files:\u00a0admin" is one scope, not "admin".
func splitScopeClaim(s string) []string {
	n := 0
	for f := range strings.SplitSeq(s, " ") {
		if f != "" {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for f := range strings.SplitSeq(s, " ") {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// sharesOne reports whether the scope claim holds one of want, without
// splitting it into a slice.
func sharesOne(scope string, want []string) bool {
	for f := range strings.SplitSeq(scope, " ") {
		if f != "" && slices.Contains(want, f) {
			return true
		}
	}
	return false
}
