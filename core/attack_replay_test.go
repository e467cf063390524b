package core_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Replayed RFC 9701 answers. Section 5 requires iat in the answer: without
// it, or with no bound on its age, an answer captured once could be
// replayed for any made-up token until its exp. Both are 502: an answer
// we cannot trust.

// btEnvelope makes as answer with an RFC 9701 envelope built by edit from
// {iss, aud, iat: now, exp: now+5m, token_introspection}; edit runs at
// answer time.
func btEnvelope(t *testing.T, as *oidcrstest.Server, edit func(env map[string]any)) {
	as.SetAnswerFunc(func(_ string, claims map[string]any) (int, string, []byte) {
		now := time.Now()
		env := map[string]any{"iss": as.URL, "aud": oidcrstest.DefaultClientID, "iat": now.Unix(),
			"exp": now.Add(5 * time.Minute).Unix(), "token_introspection": claims}
		edit(env)
		payload, err := json.Marshal(env)
		require.NoError(t, err)
		jws, err := as.Sign(payload, nil)
		require.NoError(t, err)
		// The JWE header repeats the envelope's iss and aud, as node
		// oidc-provider does.
		jwe, err := as.Encrypt([]byte(jws), map[jose.HeaderKey]any{"iss": env["iss"], "aud": env["aud"]})
		require.NoError(t, err)
		return http.StatusOK, "application/token-introspection+jwt", []byte(jwe)
	})
}

func TestJWTAnswerFreshness(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(env map[string]any)
		leeway time.Duration
		maxAge time.Duration
		ok     bool
		cause  error // the cause of the 502, when known
	}{
		{name: "fresh", edit: func(map[string]any) {}, ok: true},
		{name: "no iat", edit: func(e map[string]any) { delete(e, "iat") }, cause: core.ErrNoIAT},
		{name: "iat null", edit: func(e map[string]any) { e["iat"] = nil }, cause: core.ErrNoIAT},
		{name: "older than the default 60 s", edit: func(e map[string]any) { e["iat"] = time.Now().Add(-90 * time.Second).Unix() },
			cause: core.ErrStale},
		{name: "older than max age plus leeway", edit: func(e map[string]any) { e["iat"] = time.Now().Add(-40 * time.Second).Unix() },
			maxAge: 20 * time.Second, leeway: 10 * time.Second, cause: core.ErrStale},
		{name: "old but within max age plus leeway", edit: func(e map[string]any) { e["iat"] = time.Now().Add(-25 * time.Second).Unix() },
			maxAge: 20 * time.Second, leeway: 10 * time.Second, ok: true},
		{name: "a day old, exp still ahead", edit: func(e map[string]any) { e["iat"] = time.Now().Add(-24 * time.Hour).Unix() },
			cause: core.ErrStale},
		{name: "iat in the future", edit: func(e map[string]any) { e["iat"] = time.Now().Add(10 * time.Minute).Unix() }},
		{name: "iat in the future within leeway", edit: func(e map[string]any) { e["iat"] = time.Now().Add(20 * time.Second).Unix() },
			leeway: time.Minute, ok: true},
		{name: "iat not a number", edit: func(e map[string]any) { e["iat"] = "now" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JWT)
			btEnvelope(t, as, tc.edit)
			rs := btRS(t, as, func(s *core.Settings) { s.Leeway, s.JWTMaxAge = tc.leeway, tc.maxAge })
			_, err := btAuth(rs, as.Mint(nil))
			if tc.ok {
				require.NoError(t, err)
				return
			}
			btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescInvalidClaims)
			btNotInvalidToken(t, err)
			if tc.cause != nil {
				assert.ErrorIs(t, err, tc.cause)
			}
		})
	}
}

// TestJWTAnswerReplayForAnotherToken replays one captured answer for a
// made-up token: refused once the answer is older than the max age.
func TestJWTAnswerReplayForAnotherToken(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JWT)
	// An answer about a good token, captured two minutes ago; its exp is
	// an hour ahead.
	good := map[string]any{"active": true, "iss": as.URL, "scope": oidcrstest.DefaultScope,
		"client_id": oidcrstest.DefaultSPClientID, "sub": oidcrstest.DefaultSubject}
	payload, err := json.Marshal(map[string]any{"iss": as.URL, "aud": oidcrstest.DefaultClientID,
		"iat": time.Now().Add(-2 * time.Minute).Unix(), "exp": time.Now().Add(time.Hour).Unix(), "token_introspection": good})
	require.NoError(t, err)
	jws, err := as.Sign(payload, nil)
	require.NoError(t, err)
	captured, err := as.Encrypt([]byte(jws), nil)
	require.NoError(t, err)
	btAnswer(as, http.StatusOK, "application/token-introspection+jwt", []byte(captured))
	rs := btRS(t, as, nil)
	_, err = btAuth(rs, "made-up-token")
	btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescInvalidClaims)
	assert.ErrorIs(t, err, core.ErrStale)
}
