package adaptertest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// conformanceCase is one request of the conformance suite and the
// verdict expected. The table is written once, for every transport: HTTP
// answers a verdict as httpAnswer says, gRPC with the status code its
// adapter maps the verdict's HTTP status to.
type conformanceCase struct {
	name    string
	variant variant
	path    string
	auth    func(as *oidcrstest.Server) []string // Authorization header values
	// creds, when set instead of auth, is the whole of what the request
	// carries: a DPoP-bound token and its proofs.
	creds func(t *testing.T, as *oidcrstest.Server) Credentials
	fault *oidcrstest.Fault
	want  Verdict
	jwks  bool // HTTP only: the answer is the resource server's JWKS document

	// HTTP only: the answer is the RFC 9728 metadata document of a
	// resource server with Settings.Resource, or 404 without one.
	metadata bool
	method   string // HTTP only: the request's method; "" is GET

	// HTTP only: the request is a CORS preflight from origin; the answer
	// is 204 with the Access-Control-* lines of cors (see corsHeaders).
	origin, cors string
}

// httpOnly reports whether the case is HTTP's alone.
func (c conformanceCase) httpOnly() bool {
	return c.jwks || c.metadata || c.method != "" || c.origin != ""
}

// httpMethod is the case's request method.
func (c conformanceCase) httpMethod() string {
	if c.origin != "" {
		return http.MethodOptions
	}
	if c.method == "" {
		return http.MethodGet
	}
	return c.method
}

// Verdict is what a conformance case expects, in terms every transport
// shares: an HTTP status and the error answer's parts, or the reply of
// the route's handler.
type Verdict struct {
	// Status is the HTTP status: 200, or the error's.
	Status int
	// Error is the error code of the body (core.ErrorBody.Error), "" on
	// success.
	Error string
	// Description is the fixed error description, "" on success.
	Description string
	// Challenge is the WWW-Authenticate value, "" when there is none.
	Challenge string
	// RetryAfter is the Retry-After value, "" when there is none.
	RetryAfter string
	// Reply is, on success, the handler's answer: ConformanceReply's text.
	Reply string
}

// The expected verdicts.
const realm = `Bearer realm="oidcrs"`

func failure(status int, code, desc, scope string) Verdict {
	v := Verdict{Status: status, Error: code, Description: desc}
	switch status {
	case http.StatusUnauthorized, http.StatusBadRequest, http.StatusForbidden:
		v.Challenge = realm
		if code != "unauthorized" {
			v.Challenge += fmt.Sprintf(`, error=%q, error_description=%q`, code, desc)
		}
		if scope != "" {
			v.Challenge += fmt.Sprintf(`, scope=%q`, scope)
		}
	}
	return v
}

// The scopes that a 403 of the any-of route names: the one the token holds
// of OIDC_RS_SCOPES, then the route's; and when the server's rule fails
// on a token holding ops, the server's scope, then the route scope held.
const (
	stepUpAny    = "groups admin ops"
	stepUpServer = "groups ops"
)

func reply(body string) Verdict { return Verdict{Status: http.StatusOK, Reply: body} }

var (
	missing   = failure(http.StatusUnauthorized, "unauthorized", descMissingToken, "")
	malformed = failure(http.StatusBadRequest, "invalid_request", descMalformedHeader, "")
	inactive  = failure(http.StatusUnauthorized, "invalid_token", descInactive, "")
	down      = failure(http.StatusServiceUnavailable, "temporarily_unavailable", descFetchFailed, "")
	anonymous = reply("anonymous\n")
	valid     = reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups user=<nil>\n")
)

// bearer mints a token with claims and sends it.
func bearer(claims map[string]any) func(*oidcrstest.Server) []string {
	return func(as *oidcrstest.Server) []string { return []string{"Bearer " + as.Mint(claims)} }
}

// header sends fixed Authorization header values.
func header(values ...string) func(*oidcrstest.Server) []string {
	return func(*oidcrstest.Server) []string { return values }
}

func conformanceCases(mode oidcrstest.Mode) []conformanceCase {
	past := time.Now().Add(-time.Hour).Unix()
	garbage := descInvalidJSON
	if mode == oidcrstest.JWT {
		garbage = descDecryptionFailed
	}
	// The JSON backend requires the answer's iss, as the reference does;
	// the JWT backend checks the envelope's iss instead.
	noIssuer := failure(http.StatusUnauthorized, "invalid_token", descInvalidClaims, "")
	if mode == oidcrstest.JWT {
		noIssuer = valid
	}
	tooMany := failure(http.StatusServiceUnavailable, "temporarily_unavailable", descFetchFailed, "")
	tooMany.RetryAfter = "7"
	return []conformanceCase{
		// Required authentication.
		{name: "no token", path: ConformanceProtected, want: missing},
		{name: "another scheme", path: ConformanceProtected, auth: header("Basic dXNlcjpwYXNz"), want: missing},
		{name: "valid token", path: ConformanceProtected, auth: bearer(nil), want: valid},
		{name: "lower-case scheme", path: ConformanceProtected, want: valid,
			auth: func(as *oidcrstest.Server) []string { return []string{"bearer " + as.Mint(nil)} }},
		{name: "base64-encoded token", path: ConformanceProtected, want: valid,
			auth: func(as *oidcrstest.Server) []string {
				return []string{"Bearer " + base64.StdEncoding.EncodeToString([]byte(as.Mint(nil)))}
			}},
		{name: "unknown token", path: ConformanceProtected, auth: header("Bearer unknown-token"), want: inactive},
		{name: "revoked token", path: ConformanceProtected, want: inactive,
			auth: func(as *oidcrstest.Server) []string {
				tok := as.Mint(nil)
				as.Revoke(tok)
				return []string{"Bearer " + tok}
			}},
		{name: "inactive answer", path: ConformanceProtected, auth: bearer(map[string]any{"active": false}), want: inactive},
		{name: "expired token", path: ConformanceProtected, auth: bearer(map[string]any{"exp": past}),
			want: failure(http.StatusUnauthorized, "invalid_token", descExpired, "")},
		{name: "no audience", path: ConformanceProtected, auth: bearer(map[string]any{"client_id": nil}),
			want: failure(http.StatusUnauthorized, "invalid_token", descMissingAudience, "")},
		{name: "no configured scope", path: ConformanceProtected, auth: bearer(map[string]any{"scope": "email"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descScopesMismatch, "groups")},
		{name: "no scope claim", path: ConformanceProtected, auth: bearer(map[string]any{"scope": nil}),
			want: failure(http.StatusForbidden, "insufficient_scope", descMissingScope, "groups")},
		{name: "scopes separated by a no-break space", path: ConformanceProtected, auth: bearer(map[string]any{"scope": "groups\u00a0admin"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descScopesMismatch, "groups")},
		{name: "scopes separated by a tab", path: ConformanceProtected, auth: bearer(map[string]any{"scope": "groups\tadmin"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descScopesMismatch, "groups")},
		{name: "wrong issuer", path: ConformanceProtected, auth: bearer(map[string]any{"iss": "https://elsewhere.example"}),
			want: failure(http.StatusUnauthorized, "invalid_token", descInvalidClaims, "")},
		{name: "no issuer", path: ConformanceProtected, auth: bearer(map[string]any{"iss": nil}), want: noIssuer},

		// Malformed requests.
		{name: "bearer without token", path: ConformanceProtected, auth: header("Bearer "), want: malformed},
		{name: "two tokens", path: ConformanceProtected, auth: header("Bearer abc def"), want: malformed},
		{name: "bad token character", path: ConformanceProtected, auth: header("Bearer abc%def"), want: malformed},
		{name: "two Authorization headers", path: ConformanceProtected, auth: header("Bearer abc", "Bearer def"), want: malformed},
		{name: "header over 8 KiB", path: ConformanceProtected, auth: header("Bearer " + strings.Repeat("a", 8<<10-6)), want: malformed},
		{name: "header of 8 KiB", path: ConformanceProtected, auth: header("Bearer " + strings.Repeat("a", 8<<10-7)), want: inactive},

		// The authorization server misbehaves: 503 or 502, never invalid_token.
		{name: "authorization server down", path: ConformanceProtected, auth: bearer(nil), fault: &oidcrstest.FaultDown, want: down},
		{name: "authorization server 500", path: ConformanceProtected, auth: bearer(nil), fault: &oidcrstest.FaultServerError, want: down},
		// The resource server then pauses its calls for 7 s: a variant of
		// its own, so that no later case meets the pause.
		{name: "authorization server 429", variant: throttled, path: ConformanceProtected, auth: bearer(nil),
			fault: &oidcrstest.FaultTooManyRequests, want: tooMany},
		{name: "authorization server garbage", path: ConformanceProtected, auth: bearer(nil), fault: &oidcrstest.FaultGarbage,
			want: failure(http.StatusBadGateway, "server_error", garbage, "")},

		// Optional authentication: no token goes on, a bad one does not.
		{name: "optional without token", path: ConformanceOptional, want: anonymous},
		{name: "optional with another scheme", path: ConformanceOptional, auth: header("Basic dXNlcjpwYXNz"), want: anonymous},
		{name: "optional with token", path: ConformanceOptional, auth: bearer(nil), want: valid},
		{name: "optional with bad token", path: ConformanceOptional, auth: header("Bearer unknown-token"), want: inactive},
		{name: "optional with malformed header", path: ConformanceOptional, auth: header("Bearer "), want: malformed},
		{name: "optional with authorization server down", path: ConformanceOptional, auth: bearer(nil), fault: &oidcrstest.FaultDown, want: down},

		// The skipper.
		{name: "skipped without token", path: ConformanceSkipped, want: anonymous},
		{name: "skipped with bad token", path: ConformanceSkipped, auth: header("Bearer unknown-token"), want: anonymous},

		// Per-route scopes. A 403 lists every scope the request needs: the
		// server's rule (OIDC_RS_SCOPES) first, then the route's, keeping
		// those the token holds; a token with exactly that set passes.
		{name: "any-of satisfied", path: ConformanceAnyScope, auth: bearer(map[string]any{"scope": "groups ops"}),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups,ops user=<nil>\n")},
		{name: "any-of unsatisfied", path: ConformanceAnyScope, auth: bearer(nil),
			want: failure(http.StatusForbidden, "insufficient_scope", descInsufficientScope, stepUpAny)},
		{name: "any-of with the challenged scopes", path: ConformanceAnyScope, auth: bearer(map[string]any{"scope": stepUpAny}),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups,admin,ops user=<nil>\n")},
		{name: "any-of held, server's rule failed", path: ConformanceAnyScope, auth: bearer(map[string]any{"scope": "openid ops"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descScopesMismatch, stepUpServer)},
		{name: "any-of with the server's challenged scopes", path: ConformanceAnyScope, auth: bearer(map[string]any{"scope": stepUpServer}),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups,ops user=<nil>\n")},
		{name: "any-of without token", path: ConformanceAnyScope, want: missing},
		{name: "any-of with a no-break space", path: ConformanceAnyScope, auth: bearer(map[string]any{"scope": "groups admin\u00a0ops"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descInsufficientScope, stepUpAny)},
		{name: "any-of with only a no-break space", path: ConformanceAnyScope, auth: bearer(map[string]any{"scope": "groups\u00a0admin"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descScopesMismatch, "groups")},
		{name: "all-of satisfied", path: ConformanceAllScopes, auth: bearer(map[string]any{"scope": "admin groups"}),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=admin,groups user=<nil>\n")},
		{name: "all-of unsatisfied", path: ConformanceAllScopes, auth: bearer(map[string]any{"scope": "groups ops"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descInsufficientScope, "groups admin")},
		{name: "all-of half held, server's rule failed", path: ConformanceAllScopes, auth: bearer(map[string]any{"scope": "admin"}),
			want: failure(http.StatusForbidden, "insufficient_scope", descScopesMismatch, "groups admin")},

		// The UserLookup hook.
		{name: "user found", variant: withUser, path: ConformanceProtected, auth: bearer(nil),
			want: reply("sub=user-1 audience=sp-client client_id=sp-client scopes=groups user={user-1}\n")},
		{name: "user hook returns nil", variant: withUser, path: ConformanceProtected, auth: bearer(map[string]any{"sub": "stranger"}),
			want: failure(http.StatusUnauthorized, "invalid_token", descNoUser, "")},
		{name: "user hook returns a typed nil", variant: withUser, path: ConformanceProtected, auth: bearer(map[string]any{"sub": "ghost"}),
			want: failure(http.StatusUnauthorized, "invalid_token", descNoUser, "")},
		{name: "user hook and no sub", variant: withUser, path: ConformanceProtected, auth: bearer(map[string]any{"sub": nil}),
			want: failure(http.StatusUnauthorized, "invalid_token", descNoSubject, "")},

		// A disabled resource server fails closed.
		{name: "disabled", variant: disabled, path: ConformanceProtected, auth: bearer(nil),
			want: failure(http.StatusUnauthorized, "unauthorized", descMisconfigured, "")},

		// CORS (HTTP only): a preflight is never challenged; an OPTIONS
		// request that is no preflight is.
		{name: "preflight", path: ConformanceProtected, origin: conformanceOrigin, want: preflightAnswer},
		{name: "preflight of a scoped route", path: ConformanceAllScopes, origin: conformanceOrigin, want: preflightAnswer},
		{name: "preflight of an optional route", path: ConformanceOptional, origin: conformanceOrigin, want: preflightAnswer},
		{name: "preflight with a bad token", path: ConformanceProtected, origin: conformanceOrigin,
			auth: header("Bearer unknown-token"), want: preflightAnswer},
		{name: "OPTIONS that is no preflight", path: ConformanceProtected, method: http.MethodOptions, want: missing},
		{name: "OPTIONS with a token", path: ConformanceProtected, method: http.MethodOptions, auth: bearer(nil), want: valid},

		// The JWKS route (HTTP only).
		{name: "jwks", path: ConformanceJWKS, jwks: true, want: Verdict{Status: http.StatusOK}},
		{name: "jwks of a disabled server", variant: disabled, path: ConformanceJWKS, jwks: true, want: Verdict{Status: http.StatusOK}},
	}
}
