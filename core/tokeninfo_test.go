package core_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// A verdict keeps the answer compactly (issue 15); these tests guard what
// the compaction could break: the answer must come back exactly, once
// decoded lazily, and never be changed by one request for the others.

func decodeAnswer(t testing.TB, raw string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	require.NoError(t, dec.Decode(&m))
	return m
}

// TestClaimsComeBackExactly: Claims returns the answer the checks read,
// member for member, whatever the fields took from it.
func TestClaimsComeBackExactly(t *testing.T) {
	t.Parallel()
	const iss = "https://as.example"
	exp := time.Now().Add(time.Hour).Unix()
	for _, tc := range []struct {
		name     string
		audClaim string
		answer   string
	}{
		{"minimal", "", `{"active":true,"iss":%q,"client_id":"sp","scope":"groups"}`},
		{"typical", "", `{"active":true,"iss":%q,"client_id":"sp","sub":"u-1","username":"alice","scope":"openid groups","token_type":"Bearer","aud":"sp","iat":1700000000,"exp":%d,"jti":"j-1"}`},
		{"sub null, username null", "", `{"active":true,"iss":%q,"client_id":"sp","sub":null,"username":null,"scope":"groups"}`},
		{"sub empty", "", `{"active":true,"iss":%q,"client_id":"sp","sub":"","scope":"groups"}`},
		{"scope with extra spaces", "", `{"active":true,"iss":%q,"client_id":"sp","scope":"  groups   openid "}`},
		{"escapes and HTML", "", `{"active":true,"iss":%q,"client_id":"sp\"<&>","sub":"\u00e9\u2028\n\\","scope":"groups","note":"<b>&amp;</b>"}`},
		{"numbers kept as sent", "", `{"active":true,"iss":%q,"client_id":"sp","scope":"groups","exp":%d.5,"big":12345678901234567890,"f":1e3,"neg":-0.0}`},
		{"nested", "", `{"active":true,"iss":%q,"client_id":"sp","scope":"groups","realm_access":{"roles":["a","b"],"n":{"x":[1,{"y":null}]}},"groups":[]}`},
		{"aud array with client id", "aud", `{"active":true,"iss":%q,"client_id":"sp","scope":"groups","aud":["api","sp","other"]}`},
		{"aud string, not client id", "aud", `{"active":true,"iss":%q,"client_id":"sp","scope":"groups","aud":"api"}`},
		{"audience from sub", "sub", `{"active":true,"iss":%q,"client_id":"sp","sub":"u-1","scope":"groups"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := fmt.Sprintf(tc.answer, iss, exp)
			if !strings.Contains(tc.answer, "%d") {
				raw = fmt.Sprintf(tc.answer, iss)
			}
			want := decodeAnswer(t, raw)
			s := core.Settings{Issuer: iss, Scopes: []string{"groups"}, AudienceClaim: tc.audClaim}
			ti, err := core.CheckClaims(s, decodeAnswer(t, raw), time.Now())
			require.NoError(t, err)
			assert.Equal(t, want, ti.Claims())
			for name, v := range want {
				got, ok := ti.Claim(name)
				assert.True(t, ok, name)
				assert.Equal(t, v, got, name)
			}
			_, ok := ti.Claim("absent")
			assert.False(t, ok)
			assert.Equal(t, len(ti.Scopes), cap(ti.Scopes), "an append by a handler must not write into the shared array")
		})
	}
}

// TestClaimsOfAHandBuiltTokenInfo: a TokenInfo built by hand (a handler's
// own test) has its fields and no claims.
func TestClaimsOfAHandBuiltTokenInfo(t *testing.T) {
	t.Parallel()
	ti := &core.TokenInfo{Subject: "s", Audience: []string{"sp", "other"}}
	assert.Nil(t, ti.Claims())
	_, ok := ti.Claim("sub")
	assert.False(t, ok)
	assert.Equal(t, "sp", ti.OriginAudience())
	assert.Empty(t, (&core.TokenInfo{}).OriginAudience())
	var none *core.TokenInfo
	assert.Empty(t, none.OriginAudience())
	assert.Nil(t, none.Claims())
}

// TestLazyClaimsShared: every request with one token gets the same
// TokenInfo from the cache; concurrent first calls of Claim and Claims
// (run with -race) decode it safely and agree; a handler that changes
// what Claims gave it changes nothing for the others.
func TestLazyClaimsShared(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			rs := btRS(t, as, func(s *core.Settings) { s.DisableCache, s.CacheTTL = false, time.Hour })
			tok := as.Mint(map[string]any{"tenant": "t-1", "groups": []string{"g1", "g2"}})
			first, err := btAuth(rs, tok)
			require.NoError(t, err)
			const n = 16
			var wg sync.WaitGroup
			got := make([]map[string]any, n)
			infos := make([]*core.TokenInfo, n)
			for i := range n {
				wg.Go(func() {
					ti, err := btAuth(rs, tok)
					if err != nil {
						return
					}
					infos[i] = ti
					if i%2 == 0 {
						tenant, _ := ti.Claim("tenant")
						groups, _ := ti.Claim("groups")
						got[i] = map[string]any{"tenant": tenant, "groups": groups}
					} else {
						m := ti.Claims()
						got[i] = map[string]any{"tenant": m["tenant"], "groups": m["groups"]}
						m["tenant"] = "changed by a handler" // the caller's own map
						delete(m, "groups")
					}
				})
			}
			wg.Wait()
			want := map[string]any{"tenant": "t-1", "groups": []any{"g1", "g2"}}
			for i := range n {
				assert.Same(t, first, infos[i], "request %d got its own copy: the cache shares one TokenInfo", i)
				assert.Equal(t, want, got[i], "request %d", i)
			}
			again, err := btAuth(rs, tok)
			require.NoError(t, err)
			tenant, _ := again.Claim("tenant")
			assert.Equal(t, "t-1", tenant, "a handler's change to its Claims map reached another request")
			assert.Contains(t, again.Claims(), "groups")
			assert.EqualValues(t, 1, as.IntrospectionCalls())
		})
	}
}

// TestCompactTokenInfoKeepsNoDecodedMap: the cached TokenInfo does not keep
// the decoded answer until a handler asks for it (the memory target of
// issue 15), yet answers the same after a round trip through the shared
// cache's encoding.
func TestCompactTokenInfoKeepsNoDecodedMap(t *testing.T) {
	t.Parallel()
	as := oidcrstest.Start(t, oidcrstest.Config{})
	raw := fmt.Sprintf(`{"active":true,"iss":%q,"client_id":%q,"sub":"u","scope":%q,"x":[1,2]}`,
		as.URL, oidcrstest.DefaultSPClientID, oidcrstest.DefaultScope)
	ti, err := core.CheckClaims(core.Settings{Issuer: as.URL, Scopes: []string{oidcrstest.DefaultScope}}, decodeAnswer(t, raw), time.Now())
	require.NoError(t, err)
	assert.False(t, core.ClaimsDecoded(ti), "the answer was decoded before any handler asked")
	_, _ = ti.Claim("x")
	assert.True(t, core.ClaimsDecoded(ti), "Claim keeps what it decoded")
	assert.Equal(t, decodeAnswer(t, raw), ti.Claims())
}
