package core

import (
	"errors"
	"strings"
	"time"
)

// ScopeRequirement is a per-route rule: the token needs any one of its
// scopes, or all of them (AnyScope, AllScopes), or a strong or recent
// enough user authentication (RequireAuthentication). The zero value
// denies every request.
type ScopeRequirement struct {
	scopes    []string
	all       bool
	scopeAttr string // the scope attribute of the 403 answer, built once
	invalid   bool
	auth      *authRequirement // a step-up rule; nil for a scope rule
}

var errInvalidRequirement = errors.New("scope requirement is empty or names an invalid scope")

// AnyScope requires at least one of scopes. A rule with no scope, or with
// a scope that is not an RFC 6749 scope-token, fails closed: it denies
// every request.
func AnyScope(scopes ...string) ScopeRequirement { return newScopeRequirement(false, scopes) }

// AllScopes requires every one of scopes. A rule with no scope, or with
// a scope that is not an RFC 6749 scope-token, fails closed: it denies
// every request.
func AllScopes(scopes ...string) ScopeRequirement { return newScopeRequirement(true, scopes) }

func newScopeRequirement(all bool, scopes []string) ScopeRequirement {
	r := ScopeRequirement{scopes: append([]string(nil), scopes...), all: all}
	r.invalid = len(scopes) == 0
	for _, s := range scopes {
		if !validScopeToken(s) {
			r.invalid = true
		}
	}
	if !r.invalid {
		r.scopeAttr = strings.Join(scopes, " ")
	}
	return r
}

// Check returns nil when ti satisfies the rule. A nil ti (no verified
// token: an anonymous request on an optional route) is ErrMissingToken,
// answered 401; a token that falls short is ErrInsufficientScope, answered
// 403 with the scopes the request needs in the challenge (see
// ResourceServer.ErrorResponse). A zero or invalid rule
// fails closed with ErrInsufficientScope. A step-up rule
// (RequireAuthentication) reads the system clock here; CheckScopes reads
// the ResourceServer's.
func (r ScopeRequirement) Check(ti *TokenInfo) error { return r.check(ti, time.Now()) }

func (r ScopeRequirement) check(ti *TokenInfo, now time.Time) error {
	if r.auth != nil && r.invalid {
		return newError(ErrInsufficientUserAuthentication, descInsufficientUserAuth, errInvalidStepUp)
	}
	if r.auth != nil {
		return r.auth.check(ti, now)
	}
	if r.invalid || len(r.scopes) == 0 {
		return newError(ErrInsufficientScope, descInsufficientScope, errInvalidRequirement)
	}
	if ti == nil {
		return errNoToken
	}
	if r.satisfied(ti) {
		return nil
	}
	return &authError{kind: ErrInsufficientScope, desc: descInsufficientScope, scope: r.scopeAttr,
		held: strings.Join(ti.Scopes, " "), fromRoute: true}
}

func (r ScopeRequirement) satisfied(ti *TokenInfo) bool {
	for _, s := range r.scopes {
		has := ti.HasScope(s)
		if r.all && !has {
			return false
		}
		if !r.all && has {
			return true
		}
	}
	return r.all
}
