package rediscache

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/redistest"
)

func TestClusterEnabled(t *testing.T) {
	assert.True(t, clusterEnabled("# Cluster\r\ncluster_enabled:1\r\n"))
	assert.False(t, clusterEnabled("# Cluster\r\ncluster_enabled:0\r\n"))
	assert.False(t, clusterEnabled(""))
}

// countErrors is a slog handler that counts Error records.
type countErrors struct{ n atomic.Int64 }

func (c *countErrors) Enabled(context.Context, slog.Level) bool { return true }
func (c *countErrors) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *countErrors) WithGroup(string) slog.Handler            { return c }
func (c *countErrors) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelError {
		c.n.Add(1)
	}
	return nil
}

func TestHintClusterOnceOnMoved(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	moved := rdb.Eval(context.Background(), "return redis.error_reply(ARGV[1])", nil, "MOVED 3999 127.0.0.1:6381").Err()
	require.Error(t, moved)

	h := &countErrors{}
	s := &Store{log: slog.New(h)}
	s.hintCluster(errors.New("dial tcp: connection refused"))
	s.hintCluster(failure("get", context.DeadlineExceeded))
	assert.Zero(t, h.n.Load(), "only a redirection tells of a Cluster")
	s.hintCluster(moved)
	s.hintCluster(moved)
	assert.Equal(t, int64(1), h.n.Load(), "logged once")

	c := &Store{log: slog.New(h)}
	c.useCluster(redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{srv.Addr()}}))
	t.Cleanup(func() { _ = c.client.Close() })
	c.hintCluster(moved)
	assert.Equal(t, int64(1), h.n.Load(), "a Cluster client needs no hint")
}
