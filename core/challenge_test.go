package core

import (
	"testing"
	"time"
)

// TestChallengeQuoting: every value of a challenge is a quoted-string (RFC
// 9110 section 5.6.4): a quote or backslash is escaped as a quoted-pair,
// and a control character is left out, so that no value ends early or
// splits the header.
func TestChallengeQuoting(t *testing.T) {
	for _, tc := range []struct{ realm, meta, code, desc, scope, want string }{
		{"oidcrs", "", "", "", "", `Bearer realm="oidcrs"`},
		{`a"b`, "", "", "", "", `Bearer realm="a\"b"`},
		{`a\b`, "", "invalid_token", `say "no"`, "", `Bearer realm="a\\b", error="invalid_token", error_description="say \"no\""`},
		{"r", "https://x/m", "insufficient_scope", "d\r\nSet-Cookie: x\x7f", "a\tb", `Bearer realm="r", resource_metadata="https://x/m", error="insufficient_scope", error_description="dSet-Cookie: x", scope="a` + "\t" + `b"`},
		{"r", "", "", "", "groups mcp", `Bearer realm="r", scope="groups mcp"`},
	} {
		if got := challenge(tc.realm, tc.meta, tc.code, tc.desc, tc.scope); got != tc.want {
			t.Errorf("challenge(%q, %q, %q, %q, %q) = %s, want %s", tc.realm, tc.meta, tc.code, tc.desc, tc.scope, got, tc.want)
		}
	}
}

// TestSharedRejectionKeepsHeldScopes: a scope refusal read back from the
// shared cache carries the token's scopes, so that its challenge lists
// the same scopes as the replica's that decided.
func TestSharedRejectionKeepsHeldScopes(t *testing.T) {
	now := time.Now()
	e := &authError{kind: ErrInsufficientScope, desc: descScopesMismatch, scope: "groups", held: "openid mcp"}
	b, ok := encodeVerdict(cacheEntry{Val: cached{err: e}, Expires: now.Add(time.Minute)})
	if !ok {
		t.Fatal("a scope refusal is not shared")
	}
	got, ok := decodeVerdict(b, newClaimChecker(Settings{Scopes: []string{"groups"}}), now)
	if !ok || got.Val.err == nil || got.Val.err.held != e.held || got.Val.err.scope != e.scope {
		t.Fatalf("decoded %+v, %v", got.Val.err, ok)
	}
	rs := &ResourceServer{settings: Settings{Realm: "r"}, serverScopes: []string{"groups"}, routeScopes: &scopeSet{}}
	rs.routeScopes.add([]string{"mcp"})
	if www := rs.ErrorResponse(got.Val.err).WWWAuthenticate; www != `Bearer realm="r", error="insufficient_scope", error_description="`+descScopesMismatch+`", scope="groups mcp"` {
		t.Fatalf("challenge %s", www)
	}
}
