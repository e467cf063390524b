package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestTokenInfoFields checks every field of the result, in both backends.
func TestTokenInfoFields(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			rs := btRS(t, as, func(s *core.Settings) { s.AudienceClaim = "aud"; s.Scopes = []string{"email"} })
			iat, exp := time.Now().Add(-time.Minute).Unix(), time.Now().Add(time.Hour).Unix()
			tok := as.Mint(map[string]any{"sub": "alice", "client_id": "sp-1", "scope": "openid email", "aud": []string{"sp-1", "sp-2"},
				"username": "alice@example.org", "iat": iat, "exp": exp, "tenant": "t-9"})
			ti, err := btAuth(rs, tok)
			require.NoError(t, err)
			assert.Equal(t, "alice", ti.Subject)
			assert.Equal(t, "sp-1", ti.ClientID)
			assert.Equal(t, []string{"openid", "email"}, ti.Scopes)
			assert.True(t, ti.HasScope("email"))
			assert.False(t, ti.HasScope("groups"))
			assert.Equal(t, []string{"sp-1", "sp-2"}, ti.Audience)
			assert.Equal(t, "sp-1", ti.OriginAudience())
			assert.Equal(t, as.URL, ti.Issuer)
			assert.Equal(t, time.Unix(exp, 0), ti.ExpiresAt)
			claim := func(name string) any { v, _ := ti.Claim(name); return v }
			assert.Equal(t, "alice@example.org", claim("username"))
			assert.Equal(t, "Bearer", claim("token_type"))
			assert.Equal(t, json.Number(strconv.FormatInt(iat, 10)), claim("iat"))
			_, ok := ti.Claim("nbf")
			assert.False(t, ok)
			assert.Equal(t, "t-9", claim("tenant"))
			assert.Equal(t, json.Number(strconv.FormatInt(exp, 10)), claim("exp"), "numbers are json.Number")
			assert.Equal(t, "alice", claim("sub"))
			assert.Equal(t, "openid email", claim("scope"))
			assert.Equal(t, []any{"sp-1", "sp-2"}, claim("aud"))
			assert.Equal(t, as.URL, claim("iss"))
			assert.Equal(t, ti.Claims(), ti.Claims(), "Claims is the same answer each time")
		})
	}
}

// TestContext checks NewContext, FromContext and the user accessors.
func TestContext(t *testing.T) {
	t.Parallel()
	ti := &core.TokenInfo{Subject: "s", Audience: []string{"sp"}}
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		ok       bool
		audience string
	}{
		{"empty", context.Background(), false, ""},
		{"nil TokenInfo", core.NewContext(context.Background(), nil), false, ""},
		{"TokenInfo", core.NewContext(context.Background(), ti), true, "sp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := core.FromContext(tc.ctx)
			assert.Equal(t, tc.ok, ok)
			if tc.ok {
				assert.Same(t, ti, got)
			}
			if tc.ok {
				assert.Equal(t, tc.audience, got.OriginAudience())
			}
		})
	}
	t.Run("user", func(t *testing.T) {
		t.Parallel()
		_, ok := core.UserFromContext(context.Background())
		assert.False(t, ok)
		u, ok := core.UserFromContext(core.NewUserContext(context.Background(), "bob"))
		assert.True(t, ok)
		assert.Equal(t, "bob", u)
	})
}

type btUser struct{ Name string }

// TestUserLookup checks the hook, in both backends, through the
// middleware.
func TestUserLookup(t *testing.T) {
	t.Parallel()
	const secretCause = "db password=hunter2 refused"
	for _, mode := range btModes {
		for _, tc := range []struct {
			name   string
			claims map[string]any
			hook   core.UserLookupFunc
			called bool
			status int
			desc   string
		}{
			{name: "user found", called: true, status: http.StatusOK,
				hook: func(_ context.Context, ti *core.TokenInfo) (any, error) {
					return &btUser{Name: "name-of-" + ti.Subject}, nil
				}},
			{name: "nil user", called: true, status: http.StatusUnauthorized, desc: core.DescNoUser,
				hook: func(context.Context, *core.TokenInfo) (any, error) { return nil, nil }},
			{name: "typed nil pointer", called: true, status: http.StatusUnauthorized, desc: core.DescNoUser,
				hook: func(context.Context, *core.TokenInfo) (any, error) { return (*btUser)(nil), nil }},
			{name: "nil map", called: true, status: http.StatusUnauthorized, desc: core.DescNoUser,
				hook: func(context.Context, *core.TokenInfo) (any, error) { return map[string]string(nil), nil }},
			{name: "missing sub", claims: map[string]any{"sub": nil}, status: http.StatusUnauthorized, desc: core.DescNoSubject,
				hook: func(context.Context, *core.TokenInfo) (any, error) { return &btUser{}, nil }},
			{name: "hook error", called: true, status: http.StatusServiceUnavailable, desc: core.DescUserLookupFailed,
				hook: func(context.Context, *core.TokenInfo) (any, error) { return nil, errors.New(secretCause) }},
			{name: "hook refuses the user", called: true, status: http.StatusUnauthorized, desc: core.DescNoUser,
				hook: func(context.Context, *core.TokenInfo) (any, error) {
					return nil, fmt.Errorf("%s: %w", secretCause, core.ErrInvalidToken)
				}},
		} {
			t.Run(string(mode)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				as := btAS(t, mode)
				var calls atomic.Int64
				hook := func(ctx context.Context, ti *core.TokenInfo) (any, error) {
					calls.Add(1)
					return tc.hook(ctx, ti)
				}
				rs := btRS(t, as, nil, core.WithUserLookup(hook))
				srv := httptest.NewServer(rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					u, ok := core.UserFromContext(r.Context())
					ti, tok := core.FromContext(r.Context())
					if !ok || !tok {
						http.Error(w, "missing", http.StatusInternalServerError)
						return
					}
					_, _ = io.WriteString(w, u.(*btUser).Name+" "+ti.Subject)
				})))
				t.Cleanup(srv.Close)
				resp, body := btGet(t, srv.URL, "Bearer "+as.Mint(tc.claims))
				require.Equal(t, tc.status, resp.StatusCode, body)
				assert.Equal(t, tc.called, calls.Load() == 1)
				assert.NotContains(t, body, "hunter2")
				if tc.status == http.StatusOK {
					assert.Equal(t, "name-of-user-1 user-1", body)
					return
				}
				assert.Equal(t, tc.desc, btErrorBody(t, body)["error_description"])
			})
		}
	}
	t.Run("no hook: sub is not required", func(t *testing.T) {
		t.Parallel()
		as := btAS(t, oidcrstest.JSON)
		rs := btRS(t, as, nil)
		ti, err := btAuth(rs, as.Mint(map[string]any{"sub": nil}))
		require.NoError(t, err)
		assert.Empty(t, ti.Subject)
		ctx, err := rs.Authenticate(context.Background(), []string{"Bearer " + as.Mint(map[string]any{"sub": nil})})
		require.NoError(t, err)
		_, hasUser := core.UserFromContext(ctx)
		assert.False(t, hasUser)
	})
}
