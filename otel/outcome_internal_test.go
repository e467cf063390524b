package oidcrsotel

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
)

// Every refusal kind core reports has its own outcome label: a kind that
// fell through to "error" would hide a whole class of refusals on the
// dashboards.
func TestOutcomeLabels(t *testing.T) {
	for kind, want := range map[error]string{
		nil:                                    "ok",
		core.ErrMissingToken:                   "missing_token",
		core.ErrInvalidRequest:                 "invalid_request",
		core.ErrInvalidToken:                   "invalid_token",
		core.ErrInsufficientScope:              "insufficient_scope",
		core.ErrInsufficientUserAuthentication: "insufficient_user_authentication",
		core.ErrInvalidDPoPProof:               "invalid_dpop_proof",
		core.ErrUnavailable:                    "unavailable",
		core.ErrBadResponse:                    "bad_response",
		core.ErrMisconfigured:                  "misconfigured",
	} {
		assert.Equal(t, want, outcome(core.Decision{Kind: kind}), "%v", kind)
	}
}
