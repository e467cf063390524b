package core_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The cache key's fingerprint: verdicts must not cross between servers
// whose settings differ, even when they share one store, since a hit skips
// the server-wide checks.

// fpReplica is a replica on store whose settings edit changes.
func fpReplica(t *testing.T, as *oidcrstest.Server, store core.SharedStore, edit func(*core.Settings)) *core.ResourceServer {
	t.Helper()
	rs := btRS(t, as, func(s *core.Settings) {
		s.DisableCache, s.CacheSecrets, s.CacheTimeout, s.Timeout = false, []string{btCacheSecret}, 10*time.Second, 20*time.Second
		if edit != nil {
			edit(s)
		}
	}, core.WithSharedCache(store))
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}

// TestSharedCacheVerdictsDoNotCrossAuthorizationServers: server B trusts
// another authorization server, which never issued the token. B must ask
// its own server and refuse, not take A's cached verdict.
func TestSharedCacheVerdictsDoNotCrossAuthorizationServers(t *testing.T) {
	t.Parallel()
	shared := newMemStore()
	asA, asB := btAS(t, oidcrstest.JSON), btAS(t, oidcrstest.JSON)
	rsA := fpReplica(t, asA, shared, nil)
	rsB := fpReplica(t, asB, shared, nil)

	tok := asA.Mint(nil)
	_, err := btAuth(rsA, tok)
	require.NoError(t, err)
	shared.waitValues(t, 1) // A's verdict is in the shared store

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
	shared := newMemStore()
	as := btAS(t, oidcrstest.JSON)
	scopes := func(sc ...string) func(*core.Settings) {
		return func(s *core.Settings) { s.Scopes = sc }
	}
	oldRS := fpReplica(t, as, shared, scopes("admin"))
	newRS := fpReplica(t, as, shared, scopes("groups"))

	tok := as.Mint(map[string]any{"scope": "admin"})
	_, err := btAuth(oldRS, tok)
	require.NoError(t, err)
	shared.waitValues(t, 1) // the old replica's verdict is in the shared store
	_, err = btAuth(newRS, tok)
	btRejected(t, newRS, err, core.ErrInsufficientScope, http.StatusForbidden, core.DescScopesMismatch)
	assert.EqualValues(t, 2, as.IntrospectionCalls(), "the new replica asked again")

	// Replicas with the same settings still share verdicts.
	shared.waitValues(t, 2) // the new replica's rejection too
	twin := fpReplica(t, as, shared, scopes("admin"))
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
