package core_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Finding 4: a client that hangs up while its token is being introspected
// is a client event, logged at Debug; before the fix it was logged as an
// outage of the authorization server, at Warn, so that clients chose the
// volume of Warn records. A real timeout of the authorization server
// (OIDC_TIMEOUT) stays at Warn.

func TestClientCancellationIsNotAnOutage(t *testing.T) {
	t.Parallel()
	for name, end := range map[string]func() (context.Context, context.CancelFunc){
		"canceled": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		},
		"own deadline": func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			as.SetFault(&oidcrstest.Fault{Delay: 2 * time.Second})
			logger, sink := btLogger()
			rs := btRS(t, as, func(s *core.Settings) { s.Timeout = 10 * time.Second }, core.WithLogger(logger))
			ctx, cancel := end()
			defer cancel()
			_, err := authenticate(rs, ctx, "Bearer "+as.Mint(nil))
			require.ErrorIs(t, err, core.ErrUnavailable, "the request still fails closed")
			require.ErrorIs(t, err, core.ErrClientGone)
			assert.Equal(t, http.StatusServiceUnavailable, rs.ErrorResponse(err).Status)
			recs := sink.records(t)
			require.NotEmpty(t, recs)
			for _, r := range recs {
				assert.Equal(t, "DEBUG", r["level"], "record %v", r)
				assert.NotContains(t, r["msg"], "unavailable")
			}
			assert.Contains(t, sink.String(), "client went away")
		})
	}
}

func TestAuthorizationServerTimeoutStaysAWarning(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	as.SetFault(&oidcrstest.Fault{Delay: 2 * time.Second})
	logger, sink := btLogger()
	rs := btRS(t, as, func(s *core.Settings) { s.Timeout = 100 * time.Millisecond }, core.WithLogger(logger))
	_, err := btAuth(rs, as.Mint(nil))
	require.ErrorIs(t, err, core.ErrUnavailable)
	require.False(t, errors.Is(err, core.ErrClientGone))
	assert.Contains(t, btLevels(sink.records(t)), "WARN")
	assert.Contains(t, sink.String(), "timed out")
}

// TestInvalidRequestCausesAreDistinct: one answer to the client, a
// distinct cause in the log for each kind of malformed header (before, four
// identical values).
func TestInvalidRequestCausesAreDistinct(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	logger, sink := btLogger()
	rs := btRS(t, as, nil, core.WithLogger(logger))
	long := strings.Repeat("a", core.MaxHeaderLength)
	cases := []struct {
		headers []string
		cause   error
	}{
		{[]string{"Bearer "}, core.ErrCauseEmptyToken},
		{[]string{"Bearer " + long}, core.ErrCauseTooLong},
		{[]string{"Bearer abc%def"}, core.ErrCauseBadChar},
		{[]string{"Bearer abc def"}, core.ErrCauseTwoTokens},
		{[]string{"Bearer abc", "Bearer def"}, core.ErrCauseManyHeaders},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		_, err := rs.Authenticate(context.Background(), c.headers)
		require.ErrorIs(t, err, core.ErrInvalidRequest)
		require.ErrorIs(t, err, c.cause)
		resp := rs.ErrorResponse(err)
		assert.Equal(t, http.StatusBadRequest, resp.Status)
		assert.Equal(t, core.DescMalformedHeader, resp.Body.Description, "the client sees one fixed text")
		assert.False(t, seen[err.Error()], "cause %q repeats", err.Error())
		seen[err.Error()] = true
	}
	logged := sink.String()
	for _, c := range cases {
		assert.Contains(t, logged, c.cause.Error(), "the log tells the causes apart")
	}
	assert.NotContains(t, logged, long[:64])
}
