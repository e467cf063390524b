package core

import (
	"errors"
	"slices"
)

// audienceRule is the one rule for a token's aud, shared by the claim
// checks of introspection answers and of JWT access tokens: aud must hold
// the resource (RFC 8707, RFC 9068) or one of the other audiences
// (Settings.Audiences, for servers whose audiences are not URIs). With
// neither configured there is no check, as in the reference.
type audienceRule struct {
	resource  string
	audiences []string
}

var errTokenAudience = errors.New("aud holds neither OIDC_RS_RESOURCE nor one of OIDC_RS_AUDIENCE")

func newAudienceRule(s Settings) audienceRule {
	return audienceRule{resource: s.Resource, audiences: s.Audiences}
}

// enforced reports whether the rule checks anything.
func (r audienceRule) enforced() bool { return r.resource != "" || len(r.audiences) > 0 }

// check returns nil when aud, the token's aud claim, is acceptable; else
// ErrInvalidToken, answered 401 (a token for another resource).
func (r audienceRule) check(aud any) error {
	if !r.enforced() {
		return nil
	}
	if auds, ok := parseAudience(aud); ok {
		for _, a := range auds {
			if (r.resource != "" && a == r.resource) || slices.Contains(r.audiences, a) {
				return nil
			}
		}
	}
	return newError(ErrInvalidToken, descWrongResource, errTokenAudience)
}
