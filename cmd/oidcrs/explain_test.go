package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// explainJSON runs explain -json with token on stdin.
func explainJSON(t *testing.T, env map[string]string, token string) (result, verdict) {
	t.Helper()
	r := oidcrs(t, env, token, "explain", "-json")
	var v verdict
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v), "explain -json output: %s\nstderr: %s", r.stdout, r.stderr)
	return r, v
}

// TestExplain runs explain on a good, an expired and a revoked token,
// with both introspection backends; the token is never echoed.
func TestExplain(t *testing.T) {
	t.Parallel()
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as, env := fakeAS(t, mode)
			secrets := []string{as.Config().ClientSecret, env["OIDC_RS_PRIVATE_KEY_STR"]}

			good := as.Mint(map[string]any{"exp": time.Now().Add(4*time.Minute + 10*time.Second).Unix(), "email": "someone@example.org"})
			r := oidcrs(t, env, good+"\n", "explain")
			require.Equal(t, exitOK, r.code, "stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			for _, want := range []string{
				"verdict      accepted",
				"sub          " + oidcrstest.DefaultSubject,
				"scope        " + oidcrstest.DefaultScope,
				"audience     " + oidcrstest.DefaultSPClientID + "\n",
				"client_id    " + oidcrstest.DefaultSPClientID,
				"iss          " + as.URL,
				"(in 4m",
				"other claims active, email, iat, token_type (values not shown)",
			} {
				assert.Contains(t, r.stdout, want)
			}
			assert.NotContains(t, r.stdout, "someone@example.org", "other claims are named, not shown")
			assertNotEchoed(t, r, append(secrets, good)...)

			r, v := explainJSON(t, env, good)
			assert.Equal(t, exitOK, r.code)
			assert.True(t, v.Accepted)
			assert.Equal(t, 200, v.Status)
			require.NotNil(t, v.Claims)
			assert.Equal(t, oidcrstest.DefaultSubject, v.Claims.Subject)
			assert.Equal(t, []string{oidcrstest.DefaultSPClientID}, v.Claims.Audience)
			assert.True(t, strings.HasPrefix(v.Claims.ExpiresIn, "in 4m"), v.Claims.ExpiresIn)
			assertNotEchoed(t, r, append(secrets, good)...)

			expired := as.Mint(map[string]any{"exp": time.Now().Add(-3 * time.Minute).Unix()})
			r = oidcrs(t, env, expired, "explain")
			assert.Equal(t, exitFailed, r.code)
			for _, want := range []string{
				"verdict      refused: an API answers 401 invalid_token",
				`challenge    Bearer realm="oidcrs", error="invalid_token", error_description="Token has expired."`,
				"failed check Token has expired.",
				"cause        oidcrs: invalid token: Token has expired.",
			} {
				assert.Contains(t, r.stdout, want)
			}
			assertNotEchoed(t, r, append(secrets, expired)...)

			revoked := as.Mint(nil)
			as.Revoke(revoked)
			r, v = explainJSON(t, env, "Bearer "+revoked)
			assert.Equal(t, exitFailed, r.code)
			assert.False(t, v.Accepted)
			assert.Equal(t, 401, v.Status)
			assert.Equal(t, "invalid_token", v.Error)
			assert.Equal(t, "Introspected user is not active", v.Description)
			assert.Nil(t, v.Claims)
			assertNotEchoed(t, r, append(secrets, revoked)...)
		})
	}
}

func TestExplainAccessToken(t *testing.T) {
	t.Parallel()
	as := startAS(t, oidcrstest.Config{SigningAlg: jose.ES256})
	s := as.AccessTokenSettings()
	s.SigningAlgorithm = "ES256"
	env := envOf(s)
	tok := as.MintAccessToken(nil, nil)
	r, v := explainJSON(t, env, tok)
	require.Equal(t, exitOK, r.code, r.stdout)
	require.NotNil(t, v.Claims)
	assert.Equal(t, as.URL, v.Claims.Issuer)
	assert.Contains(t, v.Claims.Other, "aud", "aud is not the audience claim (client_id): named only")
	assertNotEchoed(t, r, tok)

	// A token for another resource: refused, and which check said so.
	other := as.MintAccessToken(map[string]any{"aud": "https://other.example/"}, nil)
	r, v = explainJSON(t, env, other)
	assert.Equal(t, exitFailed, r.code)
	assert.Equal(t, "The access token was not issued for this resource", v.Description)
	assertNotEchoed(t, r, other)
}

func TestExplainASDown(t *testing.T) {
	t.Parallel()
	as, env := fakeAS(t, oidcrstest.JSON)
	tok := as.Mint(nil)
	as.SetFault(&oidcrstest.FaultTooManyRequests)
	r := oidcrs(t, env, tok, "explain")
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stdout, "refused: an API answers 503 temporarily_unavailable")
	assert.Contains(t, r.stdout, "retry after  7")
	assert.Contains(t, r.stdout, "answered HTTP 429")
	assertNotEchoed(t, r, tok)
}

// TestExplainInput: one token on stdin, nothing else; a bad input is a
// usage error that does not repeat it.
func TestExplainInput(t *testing.T) {
	t.Parallel()
	as, env := fakeAS(t, oidcrstest.JSON)
	a, b := as.Mint(nil), as.Mint(nil)
	for _, tc := range []struct {
		name, stdin, stderr string
	}{
		{"empty", "", "no token on stdin"},
		{"blank", " \n\t\n", "no token on stdin"},
		{"bearer alone", "Bearer ", "no token on stdin"},
		{"two tokens", a + "\n" + b + "\n", "more than one word"},
		{"two words", "Bearer " + a + " " + b, "more than one word"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := oidcrs(t, env, tc.stdin, "explain")
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tc.stderr)
			assert.Empty(t, r.stdout)
			assertNotEchoed(t, r, a, b)
		})
	}
	t.Run("argument", func(t *testing.T) {
		t.Parallel()
		// A minted token may begin with '-' (base64url), and is then read
		// as a flag: the positional case needs one that does not.
		pos := "tok" + a
		r := oidcrs(t, env, "", "explain", pos)
		assert.Equal(t, exitUsage, r.code, "a token on the command line is refused")
		assert.Contains(t, r.stderr, "give the token on stdin")
		assert.NotContains(t, r.stderr, a, "even a refused argument is not echoed")

		r = oidcrs(t, env, "", "explain", "-"+a)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "no such flag")
		assert.NotContains(t, r.stderr, a, "nor a token taken for a flag")
	})
	t.Run("settings", func(t *testing.T) {
		t.Parallel()
		r := oidcrs(t, with(env, map[string]string{"OIDC_OP_URL": ""}), a, "explain")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "OIDC_OP_URL: is required")
		assert.Contains(t, r.stderr, "oidcrs check")
		assertNotEchoed(t, r, a, as.Config().ClientSecret)
	})
}

// TestExplainNoPromptOffTerminal: stdin is a pipe here, not a terminal, so
// explain reads it without a prompt.
func TestExplainNoPromptOffTerminal(t *testing.T) {
	t.Parallel()
	as, env := fakeAS(t, oidcrstest.JSON)
	r := oidcrs(t, env, as.Mint(nil), "explain")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "Paste")
	assert.Empty(t, r.stderr)
}
