package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

const stepUpDesc = "A stronger or more recent user authentication is required."

// A step-up rule reads acr and auth_time from the token, whichever way it
// was verified (JSON introspection, RFC 9701, a local JWT access token),
// by the ResourceServer's clock, and answers a shortfall 401
// insufficient_user_authentication with the route's acr_values and
// max_age.
func TestStepUp(t *testing.T) {
	t.Parallel()
	eidas2 := core.RequireAuthentication([]string{"eidas2", "eidas3"}, 0)
	recent := core.RequireAuthentication(nil, 5*time.Minute)
	both := core.RequireAuthentication([]string{"eidas3"}, 90*time.Second)
	at := func(ago time.Duration) time.Duration { return ago } // auth_time: now less ago
	cases := []struct {
		name   string
		rule   core.ScopeRequirement
		claims map[string]any
		want   string // the challenge after the description; "" when the rule holds
	}{
		{"acr accepted", eidas2, map[string]any{"acr": "eidas3"}, ""},
		{"acr refused", eidas2, map[string]any{"acr": "eidas1"}, `, acr_values="eidas2 eidas3"`},
		{"acr missing", eidas2, nil, `, acr_values="eidas2 eidas3"`},
		{"acr not a string", eidas2, map[string]any{"acr": 3}, `, acr_values="eidas2 eidas3"`},
		{"recent enough", recent, map[string]any{"auth_time": at(5 * time.Minute)}, ""},
		{"too old", recent, map[string]any{"auth_time": at(5*time.Minute + time.Second)}, `, max_age="300"`},
		{"auth_time missing fails closed", recent, nil, `, max_age="300"`},
		{"auth_time not a number", recent, map[string]any{"auth_time": "yesterday"}, `, max_age="300"`},
		{"auth_time fractional", recent, map[string]any{"auth_time": float64(time.Now().Unix()) + 0.5}, ""},
		{"auth_time out of range", recent, map[string]any{"auth_time": 1e15}, `, max_age="300"`},
		{"both held", both, map[string]any{"acr": "eidas3", "auth_time": at(time.Minute)}, ""},
		{"both: old", both, map[string]any{"acr": "eidas3", "auth_time": at(2 * time.Minute)}, `, acr_values="eidas3", max_age="90"`},
		{"both: weak", both, map[string]any{"acr": "eidas2", "auth_time": at(time.Minute)}, `, acr_values="eidas3", max_age="90"`},
	}
	// The ResourceServer's clock is fixed, a little ahead of the system's,
	// which dates RFC 9701 answers: never behind their iat, well within
	// their maximum age.
	type mint func(map[string]any) string
	modes := map[string]func(t *testing.T, now core.Option) (*core.ResourceServer, mint){
		"json": func(t *testing.T, now core.Option) (*core.ResourceServer, mint) {
			as := btAS(t, oidcrstest.JSON)
			return btRS(t, as, nil, now), as.Mint
		},
		"rfc9701": func(t *testing.T, now core.Option) (*core.ResourceServer, mint) {
			as := btAS(t, oidcrstest.JWT)
			return btRS(t, as, nil, now), as.Mint
		},
		"access token": func(t *testing.T, now core.Option) (*core.ResourceServer, mint) {
			as, rs := atServer(t, jose.ES256, now)
			return rs, func(c map[string]any) string { return as.MintAccessToken(c, nil) }
		},
	}
	for mode, build := range modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			now := time.Now().Add(10 * time.Second).Truncate(time.Second)
			rs, mint := build(t, core.WithClock(func() time.Time { return now }))
			for _, tc := range cases {
				claims := map[string]any{"iat": now.Unix() - 10, "exp": now.Unix() + 600}
				for k, v := range tc.claims {
					if ago, ok := v.(time.Duration); ok {
						v = now.Add(-ago).Unix()
					}
					claims[k] = v
				}
				rec := stepUpServe(rs, tc.rule, mint(claims))
				if tc.want == "" {
					assert.Equal(t, http.StatusNoContent, rec.Code, tc.name)
					continue
				}
				assert.Equal(t, http.StatusUnauthorized, rec.Code, tc.name)
				got := strings.TrimSuffix(rec.Header().Get("WWW-Authenticate"), dpopOffer)
				assert.True(t, strings.HasPrefix(got, `Bearer realm="`+rs.Settings().Realm+`", `), got)
				assert.True(t, strings.HasSuffix(got, `, error="insufficient_user_authentication", error_description="`+
					stepUpDesc+`"`+tc.want), "%s: %s", tc.name, got)
				assert.NotContains(t, got, "scope=", "a step-up challenge asks for no scope")
				assert.JSONEq(t, `{"error":"insufficient_user_authentication","error_description":"`+stepUpDesc+`"}`, rec.Body.String(), tc.name)
			}
		})
	}
}

func stepUpServe(rs *core.ResourceServer, rule core.ScopeRequirement, token string) *httptest.ResponseRecorder {
	h := rs.Middleware()(rs.RequireScopes(rule)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A rule that asks for nothing, or for what no token can hold, denies
// every request (fails closed); without a token the answer is 401 with a
// bare challenge, as for a scope rule.
func TestStepUpRuleFailsClosed(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, nil)
	token := as.Mint(map[string]any{"acr": "eidas3", "auth_time": time.Now().Unix()})
	for name, rule := range map[string]core.ScopeRequirement{
		"nothing":      core.RequireAuthentication(nil, 0),
		"negative age": core.RequireAuthentication(nil, -time.Second),
		"bad acr":      core.RequireAuthentication([]string{`eidas3"`}, 0),
		"empty acr":    core.RequireAuthentication([]string{""}, time.Hour),
	} {
		rec := stepUpServe(rs, rule, token)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, name)
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), `error="insufficient_user_authentication"`, name)
		assert.NotContains(t, rec.Header().Get("WWW-Authenticate"), `acr_values`, name)
	}
	err := core.RequireAuthentication([]string{"eidas1"}, 0).Check(nil)
	assert.ErrorIs(t, err, core.ErrMissingToken)
	assert.NoError(t, core.RequireAuthentication([]string{"eidas3"}, time.Minute).Check(token2TI(t, rs, token)))
}

func token2TI(t *testing.T, rs *core.ResourceServer, token string) *core.TokenInfo {
	t.Helper()
	ti, err := btAuth(rs, token)
	require.NoError(t, err)
	return ti
}

// A step-up refusal is a decision: the Observer gets it as 401
// ErrInsufficientUserAuthentication.
func TestStepUpRefusalIsReported(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var mu sync.Mutex
	var seen []core.Decision
	rs := btRS(t, as, nil, core.WithObserver(core.Observer{
		Decision: func(_ context.Context, d core.Decision) { mu.Lock(); seen = append(seen, d); mu.Unlock() }}))
	rec := stepUpServe(rs, core.RequireAuthentication([]string{"eidas2"}, 0), as.Mint(map[string]any{"acr": "eidas1"}))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2, "the token's acceptance, then the route's refusal")
	assert.Equal(t, http.StatusUnauthorized, seen[1].Status)
	assert.ErrorIs(t, seen[1].Kind, core.ErrInsufficientUserAuthentication)
	assert.Equal(t, stepUpDesc, seen[1].Description)
}
