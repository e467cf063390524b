package realas_test

import (
	"os"
	"testing"
)

// runPendingEnv, set to 1, runs the cases that wait for a feature of core
// (below) instead of skipping them: to see how they fare today, or to check
// them once the feature is in.
const runPendingEnv = "OIDCRS_INTEROP_RUN_PENDING"

// pending is THE one place that says which cases wait for a core feature.
// Each entry names the feature; remove an entry once core has it.
//
//   - Local and hybrid checking of these servers' JWTs needs
//     OIDC_RS_JWT_TYPES (their typ is JWT, not at+jwt) and OIDC_RS_AUDIENCE
//     (their aud is "my-api", not an http(s) URI; core requires
//     OIDC_RS_RESOURCE for local checking), and, for Hydra's default
//     tokens, scp read as a scope claim (OIDC_RS_SCOPE_CLAIM).
//   - A Hydra refresh token is introspected as active: core must refuse an
//     answer with token_use other than access_token.
func pending(server, mode, kase string) string {
	switch {
	case mode == modeLocal || mode == modeHybrid:
		return "OIDC_RS_JWT_TYPES, OIDC_RS_AUDIENCE and OIDC_RS_SCOPE_CLAIM"
	case isHydra(server) && kase == caseRefresh:
		return "refresh-token refusal (token_use)"
	}
	return ""
}

// skipIfPending skips t when its case waits for a core feature, unless
// runPendingEnv is set.
func skipIfPending(t *testing.T, server, mode, kase string) {
	t.Helper()
	if need := pending(server, mode, kase); need != "" && os.Getenv(runPendingEnv) != "1" {
		record(server, mode, kase, "skip: needs "+need)
		t.Skip("needs " + need)
	}
}
