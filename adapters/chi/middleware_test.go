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
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

func TestRegisterRoutesDefaultPath(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, rs, nil)
	w := adaptertest.Get(r, "/jwks", "")
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var set struct{ Keys []map[string]any }
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "ECDH-ES", set.Keys[0]["alg"])
	assert.NotContains(t, set.Keys[0], "d")
}

// TestNilResourceServerPanicsAtSetup checks that a route wired without a
// resource server never starts serving, rather than answering 500.
func TestNilResourceServerPanicsAtSetup(t *testing.T) {
	for _, tc := range []struct {
		name, fn string
		setup    func()
	}{
		{"Middleware", "Middleware", func() { chirs.Middleware(nil) }},
		{"optional Middleware", "Middleware", func() { chirs.Middleware(nil, core.Optional()) }},
		{"RequireScopes", "RequireScopes", func() { chirs.RequireScopes(nil, core.AnyScope("admin")) }},
		{"RegisterRoutes", "RegisterRoutes", func() { chirs.RegisterRoutes(chi.NewRouter(), nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, "chirs: "+tc.fn+" with a nil *core.ResourceServer", tc.setup)
		})
	}
}

// TestRegisterRoutesWithoutKey checks that a resource server without a
// private key still gets its /jwks route, which answers the reference's
// 500.
func TestRegisterRoutesWithoutKey(t *testing.T) {
	r := chi.NewRouter()
	chirs.RegisterRoutes(r, core.Disabled(core.Settings{}, nil))
	w := adaptertest.Get(r, "/jwks", "")
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`, w.Body.String())
}

func TestMiddlewareChain(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	var seen []string
	r := chi.NewRouter()
	r.With(chirs.Middleware(rs, nil, core.WithSkipper(func(*http.Request) bool { return false }))).
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
			w := adaptertest.Get(r, "/never-skipped", tc.auth)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.seen, seen)
		})
	}
}
