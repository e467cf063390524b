package core

import "strings"

// challengeStepUp is challengeError's challenge with acr_values and
// max_age and no scope; its value is kept apart from the iota kinds.
const challengeStepUp challengeKind = 64

// writeStepUp writes the parameters a step-up refusal (RFC 9470 section
// 3) adds to challenge's realm, resource_metadata, error and
// error_description: the route's acr_values and max_age when it has them,
// both as quoted-strings as in the RFC's examples. Such a challenge names
// no scope: the client is asked to authenticate the user again, not to
// widen its grant.
func writeStepUp(b *strings.Builder, e *authError) {
	if e.acrValues != "" {
		b.WriteString(`, acr_values=`)
		quoteTo(b, e.acrValues)
	}
	if e.maxAge != "" {
		b.WriteString(`, max_age=`)
		quoteTo(b, e.maxAge)
	}
}
