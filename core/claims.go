package core

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// claimChecker turns an introspection answer into a TokenInfo, with the
// reference's checks in its order: active, iss, scope, audience, then the
// time claims. A token that marks itself as a refresh token is refused
// before any of them but active.
type claimChecker struct {
	issuer        string
	requireIssuer bool // JSON backend: iss is essential, as in the reference
	accessToken   bool // RFC 9068 claims: no active member
	// idTokens is set when the accepted typ values let ID tokens through:
	// their claims must then show an access token.
	idTokens      bool
	audienceRule  audienceRule // aud must hold the resource or an audience
	audienceClaim string
	scopeClaim    string // "" for scope, then scp
	scopes        []string
	texts         *claimTexts
	scopeAttr     string // the scopes, space separated: the failed rule of a 403
	leeway        time.Duration
}

// claimTexts are the descriptions that say what was checked: an
// introspection answer, as the reference says, or a token checked
// locally, which no introspection saw.
type claimTexts struct {
	missingScope, scopesMismatch, missingAudience string
}

var (
	introspectionTexts = &claimTexts{descMissingScope, descScopesMismatch, descMissingAudience}
	accessTokenTexts   = &claimTexts{descTokenMissingScope, descTokenScopesMismatch, descTokenMissingAudience}
)

func newClaimChecker(s Settings) *claimChecker {
	return newChecker(s, introspectionTexts)
}

// newAccessTokenChecker checks the claims of JWT access tokens verified
// locally, accepted with typ values types.
func newAccessTokenChecker(s Settings, types jwtTypes) *claimChecker {
	c := newChecker(s, accessTokenTexts)
	c.accessToken, c.requireIssuer, c.idTokens = true, true, types.idTokensPossible()
	return c
}

func newChecker(s Settings, texts *claimTexts) *claimChecker {
	return &claimChecker{
		issuer:        s.Issuer,
		requireIssuer: s.Backend != BackendJWT,
		audienceClaim: s.AudienceClaim,
		audienceRule:  newAudienceRule(s),
		scopeClaim:    s.ScopeClaim,
		scopes:        s.Scopes,
		texts:         texts,
		scopeAttr:     strings.Join(s.Scopes, " "),
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
	if err := notAccessToken(claims); err != nil {
		return nil, err
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
	if err := c.audienceRule.check(claims["aud"]); err != nil {
		return nil, err
	}
	if c.idTokens {
		if err := notIDToken(c.scopeClaim, claims); err != nil {
			return nil, err
		}
	}
	if v.scope, v.scopeClaim, err = scopeOf(c.scopeClaim, claims); errors.Is(err, errNoScopeClaim) {
		return nil, &authError{kind: ErrInsufficientScope, desc: c.texts.missingScope, scope: c.scopeAttr}
	} else if err != nil {
		return nil, err
	}
	if !sharesOne(v.scope, c.scopes) {
		// The token's own scopes go with the refusal: the challenge keeps
		// those a route of this server needs.
		return nil, &authError{kind: ErrInsufficientScope, desc: c.texts.scopesMismatch, scope: c.scopeAttr, held: v.scope}
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
		return nil, &authError{kind: ErrInvalidToken, desc: c.texts.missingAudience}
	}
	auds, ok := parseAudience(v)
	if !ok {
		return nil, newError(ErrInvalidToken, c.texts.missingAudience, errAudienceType)
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
