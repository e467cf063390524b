package core

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// authRequirement is the step-up part of a ScopeRequirement built by
// RequireAuthentication (RFC 9470): the acceptable acr values and the
// longest time since the user authenticated.
type authRequirement struct {
	acr     []string
	maxAge  time.Duration // 0: no limit
	acrAttr string        // the challenge's acr_values, built once
	ageAttr string        // the challenge's max_age in seconds, built once
}

// descInsufficientUserAuth is a step-up refusal's fixed description.
const descInsufficientUserAuth = "A stronger or more recent user authentication is required."

var (
	errInvalidStepUp = errors.New("step-up requirement is empty, has a negative max age or an invalid acr value")
	errNoAuthTime    = errors.New("the token has no usable auth_time claim")
	errAuthTooOld    = errors.New("the user authenticated too long ago")
	errACR           = errors.New("the token's acr is not one the route accepts")
)

// RequireAuthentication returns a per-route step-up rule (RFC 9470),
// which every RequireScopes and per-method rule accepts as it accepts
// AnyScope's: the token's acr claim must be one of acrValues (an empty
// list accepts any acr), and, when maxAge is positive, its auth_time
// claim must be at most maxAge old by the ResourceServer's clock (a token
// without auth_time fails). A token that falls short is
// ErrInsufficientUserAuthentication, answered 401 with the route's
// acr_values and max_age (in whole seconds) in the challenge, so that the
// client can send the user back to log in more strongly. A rule with no
// acr value and no maxAge, a negative maxAge or an acr value that is not
// an RFC 6749 NQCHAR string fails closed: it denies every request.
func RequireAuthentication(acrValues []string, maxAge time.Duration) ScopeRequirement {
	a := &authRequirement{acr: append([]string(nil), acrValues...), maxAge: maxAge}
	invalid := maxAge < 0 || (len(acrValues) == 0 && maxAge == 0)
	for _, v := range acrValues {
		if !validScopeToken(v) {
			invalid = true
		}
	}
	if !invalid {
		a.acrAttr = strings.Join(acrValues, " ")
		if maxAge > 0 {
			a.ageAttr = strconv.FormatInt(int64(maxAge/time.Second), 10)
		}
	}
	return ScopeRequirement{auth: a, invalid: invalid}
}

// check returns nil when ti satisfies a at now, else the refusal.
func (a *authRequirement) check(ti *TokenInfo, now time.Time) error {
	var cause error
	switch {
	case ti == nil:
		return errNoToken
	case len(a.acr) > 0 && !a.acceptsACR(ti):
		cause = errACR
	case a.maxAge > 0:
		at, ok := authTime(ti)
		if !ok {
			cause = errNoAuthTime
		} else if now.Sub(at) > a.maxAge {
			cause = errAuthTooOld
		}
	}
	if cause == nil {
		return nil
	}
	return &authError{kind: ErrInsufficientUserAuthentication, desc: descInsufficientUserAuth,
		acrValues: a.acrAttr, maxAge: a.ageAttr, cause: cause}
}

func (a *authRequirement) acceptsACR(ti *TokenInfo) bool {
	v, _ := ti.Claim("acr")
	acr, ok := v.(string)
	if !ok {
		return false
	}
	for _, want := range a.acr {
		if acr == want {
			return true
		}
	}
	return false
}

// authTime is the token's auth_time claim (OIDC Core section 2: seconds
// since the epoch), if it is a number.
func authTime(ti *TokenInfo) (time.Time, bool) {
	v, _ := ti.Claim("auth_time")
	var secs float64
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return time.Time{}, false
		}
		secs = f
	case float64:
		secs = n
	default:
		return time.Time{}, false
	}
	if secs <= 0 || secs > 1e12 {
		return time.Time{}, false
	}
	whole := math.Floor(secs)
	return time.Unix(int64(whole), int64((secs-whole)*1e9)), true
}
