package adaptertest

import (
	"net/http"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// ConformanceStepUp is the route that requires a step-up authentication:
// RequireAuthentication(["eidas2", "eidas3"], one hour), through the
// adapter's RequireScopes (ConformanceRoute.Scopes).
const ConformanceStepUp = "/stepup"

// descInsufficientUserAuth is core's fixed description of a step-up
// refusal.
const descInsufficientUserAuth = "A stronger or more recent user authentication is required."

func stepUpRule() core.ScopeRequirement {
	return core.RequireAuthentication([]string{"eidas2", "eidas3"}, time.Hour)
}

// stepUpRefused is the 401 of the step-up route (RFC 9470 section 3): the
// route's acr_values and max_age after the description, no scope.
var stepUpRefused = Verdict{Status: http.StatusUnauthorized, Error: "insufficient_user_authentication",
	Description: descInsufficientUserAuth,
	Challenge: realm + `, error="insufficient_user_authentication", error_description="` + descInsufficientUserAuth +
		`", acr_values="eidas2 eidas3", max_age="3600"`}

// stepUpCases are the step-up route's cases: acr and auth_time are read
// from the token; a refusal names what the route accepts, and with
// Settings.Resource points at the metadata (but lists no scope: the
// client must log the user in again, not widen its grant).
func stepUpCases() []conformanceCase {
	fresh, stale := time.Now().Add(-time.Minute).Unix(), time.Now().Add(-2*time.Hour).Unix()
	pointed := stepUpRefused
	pointed.Challenge = realm + `, resource_metadata="` + conformanceMetadataURL + `"` + pointed.Challenge[len(realm):] + dpopOffer
	return []conformanceCase{
		{name: "step-up satisfied", path: ConformanceStepUp, auth: bearer(map[string]any{"acr": "eidas2", "auth_time": fresh}), want: valid},
		{name: "step-up with a weaker acr", path: ConformanceStepUp, auth: bearer(map[string]any{"acr": "eidas1", "auth_time": fresh}),
			want: stepUpRefused},
		{name: "step-up with an old authentication", path: ConformanceStepUp,
			auth: bearer(map[string]any{"acr": "eidas3", "auth_time": stale}), want: stepUpRefused},
		{name: "step-up without auth_time", path: ConformanceStepUp, auth: bearer(map[string]any{"acr": "eidas3"}), want: stepUpRefused},
		{name: "step-up without token", path: ConformanceStepUp, want: missing},
		{name: "step-up pointing at the metadata", variant: withResource, path: ConformanceStepUp,
			auth: own(map[string]any{"acr": "eidas1", "auth_time": fresh}), want: pointed},
		{name: "preflight of a step-up route", path: ConformanceStepUp, origin: conformanceOrigin, want: preflightAnswer},
	}
}
