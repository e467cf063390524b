package core_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// dpopReplica is btReplica taking DPoP at dpopExternal.
func dpopReplica(t *testing.T, as *oidcrstest.Server, store core.SharedStore) *core.ResourceServer {
	t.Helper()
	rs := btRS(t, as, func(s *core.Settings) {
		s.DisableCache, s.CacheSecrets, s.ExternalURL = false, []string{btCacheSecret}, dpopExternal
		s.CacheTimeout, s.Timeout = 10*time.Second, 20*time.Second
	}, core.WithSharedCache(store))
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}

// TestDPoPBindingSurvivesTheSharedCache checks that a verdict another
// replica put in the shared cache keeps the token's binding: the second
// replica, which never asked the authorization server, still refuses the
// token as Bearer and with another key's proof, and takes it with its own.
func TestDPoPBindingSurvivesTheSharedCache(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			store := newMemStore()
			ha, hb := dpopHandler(dpopReplica(t, as, store)), dpopHandler(dpopReplica(t, as, store))
			alice, mallory := newDPoPClient(t), newDPoPClient(t)
			tok := as.Mint(map[string]any{"cnf": map[string]any{"jkt": alice.jkt}})

			dpopOK(t, dpopServe(ha, []string{"DPoP " + tok}, []string{alice.get(t, tok)}))
			store.waitValues(t, 1)
			assert.Len(t, store.onces(), 1, "the proof is recorded for the fleet, beside the verdict")
			dpopRefused(t, dpopServe(hb, []string{"Bearer " + tok}, nil), http.StatusUnauthorized,
				"invalid_token", descAsBearer, bearerChallenge("invalid_token", descAsBearer, true))
			dpopRefused(t, dpopServe(hb, []string{"DPoP " + tok}, []string{mallory.get(t, tok)}), http.StatusUnauthorized,
				"invalid_token", descKeyBinding, dpopChallenge("invalid_token", descKeyBinding))
			dpopOK(t, dpopServe(hb, []string{"DPoP " + tok}, []string{alice.get(t, tok)}))
			assert.EqualValues(t, 1, as.IntrospectionCalls(), "the second replica read the verdict from the store")
		})
	}
}
