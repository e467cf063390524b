package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// A per-route scope rule's refusal is a decision like Authenticate's: the
// Observer gets it as 403 insufficient_scope, and it is logged at Debug.
func TestScopeRefusalIsCountedAndLogged(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	logger, sink := btLogger()
	var mu sync.Mutex
	var seen []core.Decision
	rs := btRS(t, as, nil, core.WithLogger(logger), core.WithObserver(core.Observer{
		Decision: func(_ context.Context, d core.Decision) { mu.Lock(); seen = append(seen, d); mu.Unlock() }}))
	h := rs.Middleware()(rs.RequireScopes(core.AnyScope("admin"))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Authorization", "Bearer "+as.Mint(nil))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusForbidden, rec.Code)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 2, "the token's acceptance, then the route's refusal")
	assert.Equal(t, http.StatusOK, seen[0].Status)
	assert.Equal(t, http.StatusForbidden, seen[1].Status)
	assert.ErrorIs(t, seen[1].Kind, core.ErrInsufficientScope)
	recs := sink.records(t)
	require.NotEmpty(t, recs)
	last := recs[len(recs)-1]
	assert.Equal(t, "DEBUG", last["level"])
	assert.Equal(t, "oidcrs: request rejected", last["msg"])
	assert.Contains(t, last["error"], "insufficient")
}
