package main

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/failure"
)

// Hints for the introspection failures, and for a 2xx RFC 9701 answer that
// core refused, by the kind of failure core reports.
const (
	hintCredentials = "check OIDC_RS_CLIENT_ID, OIDC_RS_CLIENT_SECRET and OIDC_RS_CLIENT_AUTH_METHOD against the client at the AS"
	hintReach       = "check OIDC_OP_INTROSPECTION_ENDPOINT (or OIDC_OP_URL), the network, the proxy, OIDC_TIMEOUT and OIDC_VERIFY_SSL"
	hintOurJWKS     = "the client's jwks_uri at the AS must be this RS's /jwks (see oidcrs jwks), reachable from the AS"
	hintDecrypt     = "the AS encrypts to the first key at the client's jwks_uri, which must be this RS's /jwks: check that\n" +
		"OIDC_RS_PRIVATE_KEY_STR holds it (keep the old key through a rotation), and that OIDC_RS_ENCRYPTION_ALGO\n" +
		"and OIDC_RS_ENCRYPTION_ENCODING are the client's introspection_encrypted_response_alg and _enc"
)

var badAnswerHints = map[failure.Kind]string{
	failure.NotJWT:       "register the client at the AS for JWT introspection answers, or use the json backend",
	failure.UnknownRSKey: hintDecrypt,
	failure.Decryption:   hintDecrypt,
	failure.ASKeys:       "check OIDC_OP_JWKS_ENDPOINT (see the AS JWKS step)",
	failure.Signature:    "check OIDC_RS_SIGNING_ALGO (the client's introspection_signed_response_alg) and OIDC_OP_JWKS_ENDPOINT",
	failure.Claims:       "OIDC_OP_URL must be the AS's issuer, OIDC_RS_CLIENT_ID the client; a stale iat: see OIDC_RS_LEEWAY, OIDC_RS_JWT_MAX_AGE",
}

// checkIntrospection makes core's whole decision, Authenticate, on a
// made-up token, and tells what went wrong from the error's sentinel, its
// kind and the AS's own answer. An inactive answer proves the credentials
// accepted and, in JWT mode, that the answer decrypts and verifies.
func (c *checker) checkIntrospection() []step {
	intro, jwt := step{Step: "introspection"}, step{Step: "JWT answer"}
	jwtMode := c.s.Backend == core.BackendJWT
	_, err := c.rs.Authenticate(c.ctx, []string{"Bearer " + madeUpToken()})
	resp := c.rs.ErrorResponse(err)
	detail := fmt.Sprintf("a made-up token is answered %d %s %q\ncause: %v", resp.Status, resp.Body.Error, resp.Body.Description, err)
	a, answered := failure.AnswerOf(err)
	if answered && (a.Code != "" || a.Description != "") {
		detail += fmt.Sprintf("\nthe AS said: error %q, error_description %q", a.Code, a.Description)
	}
	switch kind := failure.KindOf(err); {
	case err == nil || errors.Is(err, core.ErrInsufficientScope):
		intro.Detail = "the AS says that a made-up token is active"
		intro.Hint = "OIDC_OP_INTROSPECTION_ENDPOINT must be the AS's RFC 7662 introspection endpoint"
	case errors.Is(err, core.ErrInvalidToken):
		intro.OK = true
		intro.Detail = fmt.Sprintf("credentials accepted: the AS refuses a made-up token, so an API answers %d %s %q", resp.Status, resp.Body.Error, resp.Body.Description)
		jwt.OK, jwt.Detail = true, "the inactive answer decrypted with our key and verified with the AS's"
	case kind == failure.ClientAuth:
		intro.Detail = fmt.Sprintf("the AS refused the resource server's credentials: it answered %d\n%s", a.Status, detail)
		intro.Hint = hintCredentials
	case answered && jwtMode && couldNotFetchOurJWKS(a):
		intro.Detail, intro.Hint = "the AS could not fetch our /jwks to encrypt its answer\n"+detail, hintOurJWKS
	case answered:
		intro.Detail = detail
		intro.Hint = "an unexpected status: check OIDC_OP_INTROSPECTION_ENDPOINT, and the AS's logs (5xx, 429)"
	case kind != failure.Unknown: // a 2xx answer that core could not use
		intro.OK, intro.Detail = true, "credentials accepted: the AS answered, see the JWT answer step"
		jwt.Detail, jwt.Hint = detail, cmp.Or(badAnswerHints[kind], "see the cause above")
	case errors.Is(err, core.ErrBadResponse):
		intro.Detail = detail
		intro.Hint = "the answer is not RFC 7662 JSON: check OIDC_OP_INTROSPECTION_ENDPOINT (for JWT answers, the jwt backend)"
	default:
		intro.Detail, intro.Hint = detail, hintReach
	}
	if !jwtMode || !intro.OK {
		return []step{intro}
	}
	return []step{intro, jwt}
}

// couldNotFetchOurJWKS reads the AS's own answer, not an error of ours: RFC
// 7591's invalid_client_metadata (node oidc-provider's when the client's
// jwks_uri cannot be refreshed), or an error_description about a JWKS.
func couldNotFetchOurJWKS(a *failure.ASAnswer) bool {
	d := strings.ToLower(a.Description)
	return a.Code == "invalid_client_metadata" || strings.Contains(d, "jwks") || strings.Contains(d, "json web key set")
}

// madeUpToken is a random token that no authorization server issued.
func madeUpToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "oidcrs-check-" + base64.RawURLEncoding.EncodeToString(b)
}
