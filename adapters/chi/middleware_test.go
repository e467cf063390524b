package chirs_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/adapters/chi"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func TestRegisterRoutesDefaultPath(t *testing.T) {
	_, rs := oidcrstest.StartResourceServer(t)
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, rs, nil)
	w := oidcrstest.Get(r, "/jwks", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "ECDH-ES", set.Keys[0]["alg"])
	assert.NotContains(t, set.Keys[0], "d")
}

func TestNilResourceServerFailsClosed(t *testing.T) {
	reached := false
	handler := func(http.ResponseWriter, *http.Request) { reached = true }
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, nil)
	r.With(chirs.Middleware(nil)).Get("/auth", handler)
	r.With(chirs.RequireScopes(nil, core.AnyScope("admin"))).Get("/scope", handler)
	for _, tc := range []struct{ path, body string }{
		{"/auth", `{"error":"server_error","error_description":"Internal error."}` + "\n"},
		{"/scope", `{"error":"server_error","error_description":"Internal error."}` + "\n"},
		{"/jwks", `{"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := oidcrstest.Get(r, tc.path, "Bearer abc")
			assert.Equal(t, http.StatusInternalServerError, w.Code)
			assert.Equal(t, tc.body, w.Body.String())
			assert.False(t, reached)
		})
	}
}

func TestMiddlewareChain(t *testing.T) {
	as, rs := oidcrstest.StartResourceServer(t)
	var seen []string
	r := chi.NewRouter()
	r.With(chirs.Middleware(rs, nil, chirs.WithSkipper(func(*http.Request) bool { return false }))).
		Get("/never-skipped", func(w http.ResponseWriter, r *http.Request) {
			if ti, ok := chirs.TokenInfo(r); ok && ti.Subject == oidcrstest.DefaultSubject {
				seen = append(seen, "verified")
			}
		})
	for _, tc := range []struct {
		name, auth string
		status     int
		seen       []string
	}{
		{"a false skipper still authenticates", "", http.StatusUnauthorized, nil},
		{"a rejected token stops the chain", "Bearer unknown", http.StatusUnauthorized, nil},
		{"the handler reads the token", "Bearer " + as.Mint(nil), http.StatusOK, []string{"verified"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			w := oidcrstest.Get(r, "/never-skipped", tc.auth)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.seen, seen)
		})
	}
}
