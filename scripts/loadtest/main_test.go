package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoad runs the load test briefly and checks that both routes
// answered 200, were counted, and that the token was introspected once.
// It asserts no timing.
func TestLoad(t *testing.T) {
	rep, err := load(context.Background(), options{conns: 4, duration: 300 * time.Millisecond, rounds: 2})
	require.NoError(t, err)
	for _, s := range []*routeStats{rep.open, rep.api} {
		assert.Positive(t, s.ok, s.path)
		assert.Zero(t, s.failed, s.path)
		assert.Len(t, s.lat, int(s.ok), s.path)
		assert.Len(t, s.perRnd, 2, s.path)
	}
	assert.Equal(t, int64(1), rep.introspection, "every request after the first a cache hit")
	var out bytes.Buffer
	rep.print(&out)
	assert.True(t, strings.Contains(out.String(), "protected / unprotected throughput"), out.String())
}

func TestLoadRejectsBadOptions(t *testing.T) {
	_, err := load(context.Background(), options{conns: 0, duration: time.Second, rounds: 1})
	require.Error(t, err)
}
