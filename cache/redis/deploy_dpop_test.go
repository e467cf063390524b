package rediscache_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// A DPoP proof that one replica took is refused by every other replica of
// the fleet: the replay cache is shared through Redis. With Redis gone,
// each replica still refuses the proofs it took itself.
func TestDeployDPoPReplayShared(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	d := startDeployment(t, srv.URL(), 3, func(st *core.Settings) { st.ExternalURL = dpopBase })
	client := adaptertest.NewDPoPClient(t)
	token := d.as.Mint(map[string]any{"sub": fleetSubject, "scope": fleetScope, "client_id": fleetClientID,
		"cnf": map[string]any{"jkt": client.Thumbprint()}})

	proof := client.Proof(http.MethodGet, dpopBase+"/", token)
	assert.Equal(t, http.StatusOK, dpopStatus(d.rss[0], token, proof), "a fresh proof")
	for i, rs := range d.rss {
		assert.Equal(t, http.StatusUnauthorized, dpopStatus(rs, token, proof), "replica %d: the proof replica 0 took", i)
	}
	for i, rs := range d.rss {
		assert.Equal(t, http.StatusOK, dpopStatus(rs, token, client.Proof(http.MethodGet, dpopBase+"/", token)),
			"replica %d: a fresh proof of its own", i)
	}

	srv.Kill()
	proof = client.Proof(http.MethodGet, dpopBase+"/", token)
	assert.Equal(t, http.StatusOK, dpopStatus(d.rss[1], token, proof), "Redis down: the replica's own replay cache decides")
	assert.Equal(t, http.StatusUnauthorized, dpopStatus(d.rss[1], token, proof), "Redis down: a replay to the same replica")
}

// dpopBase is the fleet's external URL in the DPoP test.
const dpopBase = "https://api.example"

// dpopStatus sends token with the DPoP scheme and proof to rs's
// middleware, for GET /.
func dpopStatus(rs *core.ResourceServer, token, proof string) int {
	h := rs.Middleware()(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", proof)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}
