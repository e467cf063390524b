package core_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The cache key's fingerprint: verdicts must not cross between servers
// whose settings differ, even when they share one cache, since a hit skips
// the server-wide checks.

// TestSharedCacheVerdictsDoNotCrossAuthorizationServers: server B trusts
// another authorization server, which never issued the token. B must ask
// its own server and refuse, not take A's cached verdict.
func TestSharedCacheVerdictsDoNotCrossAuthorizationServers(t *testing.T) {
	t.Parallel()
	shared := core.NewMemoryCache(100)
	asA, asB := btAS(t, oidcrstest.JSON), btAS(t, oidcrstest.JSON)
	cached := func(s *core.Settings) { s.DisableCache = false }
	rsA := btRS(t, asA, cached, core.WithCache(shared))
	rsB := btRS(t, asB, cached, core.WithCache(shared))

	tok := asA.Mint(nil)
	_, err := btAuth(rsA, tok)
	require.NoError(t, err)
	require.Equal(t, 1, shared.Len(), "A's verdict is in the shared cache")

	_, err = btAuth(rsB, tok)
	btRejected(t, rsB, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	assert.EqualValues(t, 1, asB.IntrospectionCalls(), "B asked its own authorization server")
	assert.EqualValues(t, 1, asA.IntrospectionCalls())
}

// TestSharedCacheVerdictsDoNotCrossScopes is the rolling deploy that
// changes OIDC_RS_SCOPES: old and new replicas share a cache and an
// authorization server.
func TestSharedCacheVerdictsDoNotCrossScopes(t *testing.T) {
	t.Parallel()
	shared := core.NewMemoryCache(100)
	as := btAS(t, oidcrstest.JSON)
	scopes := func(sc ...string) func(*core.Settings) {
		return func(s *core.Settings) { s.DisableCache, s.Scopes = false, sc }
	}
	oldRS := btRS(t, as, scopes("admin"), core.WithCache(shared))
	newRS := btRS(t, as, scopes("groups"), core.WithCache(shared))

	tok := as.Mint(map[string]any{"scope": "admin"})
	_, err := btAuth(oldRS, tok)
	require.NoError(t, err)
	_, err = btAuth(newRS, tok)
	btRejected(t, newRS, err, core.ErrInsufficientScope, http.StatusForbidden, core.DescScopesMismatch)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the new replica asked again")

	// Replicas with the same settings still share verdicts.
	twin := btRS(t, as, scopes("admin"), core.WithCache(shared))
	_, err = btAuth(twin, tok)
	require.NoError(t, err)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "same settings: a cache hit")
}

// TestFingerprintCoversEveryVerdictSetting checks which settings change the
// cache key, and that the others do not.
func TestFingerprintCoversEveryVerdictSetting(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	base := btSettings(t, as)
	base.Scopes = []string{"groups", "email"}
	fp := func(edit func(*core.Settings)) [32]byte {
		st := base
		st.Scopes = append([]string(nil), base.Scopes...)
		edit(&st)
		rs, err := core.New(st)
		require.NoError(t, err)
		return core.Fingerprint(rs)
	}
	ref := fp(func(*core.Settings) {})
	for name, edit := range map[string]func(*core.Settings){
		"issuer":                 func(s *core.Settings) { s.Issuer = "https://other.example" },
		"introspection endpoint": func(s *core.Settings) { s.IntrospectionEndpoint = "https://other.example/i" },
		"client id":              func(s *core.Settings) { s.ClientID = "other-rs" },
		"scopes":                 func(s *core.Settings) { s.Scopes = []string{"groups"} },
		"audience claim":         func(s *core.Settings) { s.AudienceClaim = "aud" },
		"JWKS endpoint":          func(s *core.Settings) { s.JWKSEndpoint = "https://other.example/jwks" },
	} {
		assert.NotEqual(t, ref, fp(edit), "%s must change the fingerprint", name)
	}
	for name, edit := range map[string]func(*core.Settings){
		"scope order": func(s *core.Settings) { s.Scopes = []string{"email", "groups"} },
		"timeout":     func(s *core.Settings) { s.Timeout *= 2 },
		"realm":       func(s *core.Settings) { s.Realm = "api" },
		"cache TTL":   func(s *core.Settings) { s.CacheTTL = 7 },
		"secret":      func(s *core.Settings) { s.ClientSecret = "rotated" },
	} {
		assert.Equal(t, ref, fp(edit), "%s must not change the fingerprint", name)
	}
	// The backend: the same authorization server in JWT mode.
	asJWT := btAS(t, oidcrstest.JWT)
	st := btSettings(t, asJWT)
	rsJWT, err := core.New(st)
	require.NoError(t, err)
	st.Backend, st.PrivateKey, st.JWKSEndpoint = core.BackendJSON, "", ""
	st.SigningAlgorithm, st.EncryptionAlgorithm, st.EncryptionEncoding, st.KeyType = "", "", "", ""
	rsJSON, err := core.New(st)
	require.NoError(t, err)
	assert.NotEqual(t, core.Fingerprint(rsJWT), core.Fingerprint(rsJSON), "the backend must change the fingerprint")
	assert.NotEqual(t, core.KeyFor(rsJWT, "tok"), core.KeyFor(rsJSON, "tok"))
}
