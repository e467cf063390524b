package core_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestForgetOnOneReplica: without a shared cache, Forget drops this
// replica's verdict and the next request asks again.
func TestForgetOnOneReplica(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	tok := as.Mint(nil)
	for range 3 {
		_, err := btAuth(rs, tok)
		require.NoError(t, err)
	}
	require.EqualValues(t, 1, as.IntrospectionCalls())
	as.Revoke(tok)
	require.NoError(t, rs.Forget(context.Background(), tok))
	_, err := btAuth(rs, tok)
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
	assert.EqualValues(t, 2, as.IntrospectionCalls())
	assert.NoError(t, (*core.ResourceServer)(nil).Forget(context.Background(), tok))
}

// TestClose: requests after Close fail closed, cached ones too; Close is
// safe twice.
func TestClose(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	tok := as.Mint(nil)
	_, err := btAuth(rs, tok)
	require.NoError(t, err)
	require.NoError(t, rs.Close())
	require.NoError(t, rs.Close())
	_, err = btAuth(rs, tok)
	btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescFetchFailed)
	assert.True(t, strings.Contains(err.Error(), "closed"))
	assert.NoError(t, (*core.ResourceServer)(nil).Close())
}
