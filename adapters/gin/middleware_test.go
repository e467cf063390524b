package ginrs_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/adapters/gin"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
)

func TestRegisterRoutesDefaultPath(t *testing.T) {
	_, rs := adaptertest.StartResourceServer(t)
	r := gin.New()
	ginrs.RegisterRoutes(r, rs, nil)
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
		{"Middleware", "Middleware", func() { ginrs.Middleware(nil) }},
		{"optional Middleware", "Middleware", func() { ginrs.Middleware(nil, ginrs.Optional()) }},
		{"RequireScopes", "RequireScopes", func() { ginrs.RequireScopes(nil, core.AnyScope("admin")) }},
		{"RegisterRoutes", "RegisterRoutes", func() { ginrs.RegisterRoutes(gin.New(), nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.PanicsWithValue(t, "ginrs: "+tc.fn+" with a nil *core.ResourceServer", tc.setup)
		})
	}
}

// TestRegisterRoutesWithoutKey checks that a resource server without a
// private key still gets its /jwks route, which answers the reference's
// 500.
func TestRegisterRoutesWithoutKey(t *testing.T) {
	r := gin.New()
	ginrs.RegisterRoutes(r, core.Disabled(core.Settings{}, nil))
	w := adaptertest.Get(r, "/jwks", "")
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.JSONEq(t, `{"error":"OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`, w.Body.String())
}

func TestMiddlewareChain(t *testing.T) {
	as, rs := adaptertest.StartResourceServer(t)
	var seen []string
	mark := func(name string) gin.HandlerFunc { return func(*gin.Context) { seen = append(seen, name) } }
	r := gin.New()
	r.GET("/never-skipped", ginrs.Middleware(rs, nil, ginrs.WithSkipper(func(*gin.Context) bool { return false })), mark("handler"))
	r.GET("/after", ginrs.Middleware(rs), func(c *gin.Context) {
		// The token travels in the request context, not in gin's key store.
		_, inKeys := c.Get("oidcrs")
		ti, ok := ginrs.TokenInfo(c)
		if ok && !inKeys && ti.Subject == oidcrstest.DefaultSubject {
			seen = append(seen, "verified")
		}
	})
	for _, tc := range []struct {
		name, path, auth string
		status           int
		seen             []string
	}{
		{"a false skipper still authenticates", "/never-skipped", "", http.StatusUnauthorized, nil},
		{"an accepted token reaches the handler", "/never-skipped", "Bearer " + as.Mint(nil), http.StatusOK, []string{"handler"}},
		{"the handler reads the token", "/after", "Bearer " + as.Mint(nil), http.StatusOK, []string{"verified"}},
		{"a rejected token stops the chain", "/after", "Bearer unknown", http.StatusUnauthorized, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			w := adaptertest.Get(r, tc.path, tc.auth)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, tc.seen, seen)
		})
	}
}
