package failure_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/failure"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	cause := errors.New("JWE kid names no key of ours")
	err := fmt.Errorf("oidcrs: %w", failure.New(failure.UnknownRSKey, cause))
	assert.Equal(t, failure.UnknownRSKey, failure.KindOf(err))
	assert.ErrorIs(t, err, cause, "the kind keeps the cause reachable")
	assert.Equal(t, "oidcrs: JWE kid names no key of ours", err.Error(), "the kind adds no text")
	assert.Equal(t, failure.Unknown, failure.KindOf(errors.New("JWE kid names no key of ours")), "never read from text")
}

func TestAnswerOf(t *testing.T) {
	t.Parallel()
	status := errors.New("answered HTTP 400")
	err := errors.Join(errors.New("x"), failure.New(failure.ClientAuth, &failure.ASAnswer{Status: 400, Code: "invalid_client", Err: status}))
	a, ok := failure.AnswerOf(err)
	require.True(t, ok)
	assert.Equal(t, "invalid_client", a.Code)
	assert.Equal(t, failure.ClientAuth, failure.KindOf(err))
	assert.ErrorIs(t, err, status)
	_, ok = failure.AnswerOf(status)
	assert.False(t, ok)
}
