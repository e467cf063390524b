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
	"github.com/oidcrs/oidcrs/internal/setting"
)

// Hints for the introspection failures.
const (
	hintCredentials = "check OIDC_RS_CLIENT_ID and OIDC_RS_CLIENT_SECRET against the client registered at the AS,\n" +
		"and OIDC_RS_CLIENT_AUTH_METHOD (client_secret_post or client_secret_basic) against its\n" +
		"token_endpoint_auth_method"
	hintReach = "check OIDC_OP_INTROSPECTION_ENDPOINT (or OIDC_OP_URL when it is discovered), the network,\n" +
		"the proxy (OIDC_PROXY, HTTPS_PROXY), OIDC_TIMEOUT, and for https OIDC_VERIFY_SSL and the CA certificates"
	hintOurJWKS = "the AS could not fetch this resource server's /jwks to encrypt its answer: the client's jwks_uri\n" +
		"at the AS must be this RS's /jwks (see oidcrs jwks), served and reachable from the AS"
	hintDecrypt = "the AS encrypts to the first key of the client's registered jwks_uri (which must serve this\n" +
		"RS's /jwks, see oidcrs jwks) with its registered alg and enc: check OIDC_RS_PRIVATE_KEY_STR holds that\n" +
		"key (after a rotation keep the old one, see oidcrs keygen -h), and OIDC_RS_ENCRYPTION_ALGO and\n" +
		"OIDC_RS_ENCRYPTION_ENCODING match introspection_encrypted_response_alg and _enc"
)

// badAnswerHints say what to fix when the AS's 2xx RFC 9701 answer was
// refused, by the kind of failure core reports.
var badAnswerHints = map[failure.Kind]string{
	failure.NotJWT: "the AS did not answer a JWT: register the client at the AS for JWT introspection answers\n" +
		"(introspection_signed_response_alg, introspection_encrypted_response_alg and _enc), or use the json backend",
	failure.UnknownRSKey: "the AS encrypted to a key that OIDC_RS_PRIVATE_KEY_STR does not hold (by its kid): " + hintDecrypt,
	failure.Decryption:   hintDecrypt,
	failure.ASKeys:       "the AS's signing keys cannot be fetched or read: check OIDC_OP_JWKS_ENDPOINT (see the AS JWKS step)",
	failure.Signature: "check OIDC_RS_SIGNING_ALGO (the client's introspection_signed_response_alg at the AS) and\n" +
		"OIDC_OP_JWKS_ENDPOINT (the AS's jwks_uri, see the AS JWKS step)",
	failure.Claims: "the answer's iss, aud or iat is wrong: OIDC_OP_URL must be the AS's issuer and OIDC_RS_CLIENT_ID\n" +
		"the client the AS answers; a stale iat means the clocks differ (OIDC_RS_LEEWAY, OIDC_RS_JWT_MAX_AGE)",
}

// checkIntrospection asks the authorization server about a made-up token,
// through core's whole decision with the configured credentials, and reads
// what the AS answered through core.Observer and the failure's kind. A
// well-formed inactive answer proves the credentials accepted; in JWT mode
// it also proves that the answer decrypts with our key and verifies with
// the AS's, which is the "JWT answer" step.
func (c *checker) checkIntrospection() []step {
	intro, jwt := step{Step: "introspection"}, step{Step: "JWT answer"}
	s := c.s
	// The shared cache needs a store that this command does not link;
	// a made-up token would never be found in it anyway.
	s.CacheURL, s.CacheSecrets = "", nil
	tr := &trace{}
	rs, err := core.New(s, core.WithObserver(tr.observer()))
	if err != nil {
		intro.Detail = "the resource server cannot be built:\n" + strings.Join(lines(err), "\n")
		intro.Hint = "correct the settings named above"
		return []step{intro}
	}
	defer rs.Close()
	_, err = rs.Authenticate(c.ctx, []string{"Bearer " + madeUpToken()})
	if err == nil || errors.Is(err, core.ErrInsufficientScope) {
		intro.Detail = "the AS says that a made-up token is active"
		intro.Hint = "OIDC_OP_INTROSPECTION_ENDPOINT must be the AS's RFC 7662 introspection endpoint"
		return []step{intro}
	}
	resp := rs.ErrorResponse(err)
	calls, _ := tr.snapshot()
	answer := fmt.Sprintf("a made-up token is answered %d %s %q\ncause: %s", resp.Status, resp.Body.Error, resp.Body.Description, err)
	if a, ok := failure.AnswerOf(err); ok && (a.Code != "" || a.Description != "") {
		answer += fmt.Sprintf("\nthe AS said: error %q, error_description %q", a.Code, a.Description)
	}
	for _, call := range calls {
		answer += "\n" + call.String()
	}
	ic, asked := tr.last(core.EndpointIntrospection)
	jwtMode := s.Backend == core.BackendJWT
	switch kind := failure.KindOf(err); {
	case errors.Is(err, core.ErrInvalidToken) && ic.Status/100 == 2:
		intro.OK = true
		intro.Detail = fmt.Sprintf("credentials accepted: the AS answered %d, a well-formed inactive answer to a made-up token\n%s", ic.Status, ic)
		jwt.OK, jwt.Detail = true, "the inactive answer decrypted with our key and verified with the AS's"
	case errors.Is(err, core.ErrInvalidToken):
		intro.OK, intro.Detail = true, "credentials accepted: "+answer
		jwt.OK, jwt.Detail = true, "the AS answered without a JWT to check"
	case !asked:
		intro.Detail, intro.Hint = answer, "see the discovery step; or set OIDC_OP_INTROSPECTION_ENDPOINT and OIDC_OP_JWKS_ENDPOINT"
	case kind == failure.ClientAuth:
		intro.Detail = fmt.Sprintf("the AS refused the resource server's credentials: it answered %d\n%s", ic.Status, answer)
		intro.Hint = hintCredentials
	case ic.Status/100 == 2 && !jwtMode:
		intro.Detail = answer
		intro.Hint = "the answer is not RFC 7662 JSON: check OIDC_OP_INTROSPECTION_ENDPOINT, and that the AS\n" +
			"does not answer JWTs to this client (then use the jwt backend)"
	case ic.Status/100 == 2:
		// The AS took the credentials; its answer, or the AS's keys, failed.
		intro.OK = true
		intro.Detail = fmt.Sprintf("credentials accepted: the AS answered %d\n%s", ic.Status, ic)
		jwt.Detail, jwt.Hint = answer, cmp.Or(badAnswerHints[kind], "see the cause above")
	case jwtMode && couldNotFetchOurJWKS(err):
		intro.Detail = "the AS could not fetch our /jwks to encrypt its answer\n" + answer
		intro.Hint = hintOurJWKS
	case ic.Status != 0:
		intro.Detail = answer
		intro.Hint = "the AS answered an unexpected status: check that OIDC_OP_INTROSPECTION_ENDPOINT is its\n" +
			"introspection endpoint, and the AS's logs (5xx, 429: it is failing or limiting us)"
	default:
		intro.Detail, intro.Hint = answer, hintReach
	}
	if !jwtMode || !intro.OK {
		return []step{intro}
	}
	return []step{intro, jwt}
}

// couldNotFetchOurJWKS reports whether the authorization server's error
// answer says that it could not fetch the client's JWK set, which is this
// resource server's /jwks. This reads the AS's own protocol answer, not an
// error of ours: RFC 7591's invalid_client_metadata, which node
// oidc-provider answers when the client's jwks_uri cannot be refreshed, or
// an error_description about the client's JWKS.
func couldNotFetchOurJWKS(err error) bool {
	a, ok := failure.AnswerOf(err)
	if !ok {
		return false
	}
	d := strings.ToLower(a.Description)
	return a.Code == "invalid_client_metadata" || strings.Contains(d, "jwks") || strings.Contains(d, "json web key set")
}

// lines returns the problems of a settings error, one line each.
func lines(err error) []string {
	var out []string
	for _, p := range setting.Split(err) {
		out = append(out, strings.Split(strings.TrimSpace(p.Error()), "\n")...)
	}
	return out
}

// madeUpToken is a random token that no authorization server issued.
func madeUpToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "oidcrs-check-" + base64.RawURLEncoding.EncodeToString(b)
}
