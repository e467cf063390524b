package rediscache_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// recorder is a slog handler that keeps its records' level, message and
// attributes, as text, for a test to read.
type recorder struct {
	mu   sync.Mutex
	recs []string
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *recorder) WithGroup(string) slog.Handler            { return r }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	r.mu.Lock()
	r.recs = append(r.recs, b.String())
	r.mu.Unlock()
	return nil
}

// matching returns the records that contain every one of parts.
func (r *recorder) matching(parts ...string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.recs {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(rec, p)
		}
		if all {
			out = append(out, rec)
		}
	}
	return out
}

func TestGoRedisLogReachesTheStoresLogger(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rec := &recorder{}
	store, err := rediscache.OpenConfig(bounded(t), rediscache.Config{
		URL: srv.URL(), Timeout: storeTimeout, Logger: slog.New(rec)})
	require.NoError(t, err)
	_, err = store.Get(bounded(t), "k")
	require.NoError(t, err)
	srv.Kill()
	_, err = store.Get(bounded(t), "k")
	require.Error(t, err)
	// go-redis logs the failed dial (from its pool, maybe after the call
	// returned).
	require.Eventually(t, func() bool {
		return len(rec.matching("INFO", "failed to dial", "component=go-redis")) > 0
	}, waitLimit, 10*time.Millisecond, "go-redis's line did not reach the store's logger")

	require.NoError(t, store.Close())
	before := len(rec.matching())
	other := openStore(t, srv.URL(), storeTimeout) // no logger
	_, err = other.Get(bounded(t), "k")
	require.Error(t, err)
	// The other store's go-redis lines go elsewhere; a closed store's
	// logger gets none. (A line from the closed store's own client, late,
	// would fail this too, as it should not exist.)
	srv.Restart(t)
	_, err = other.Get(bounded(t), "k")
	require.NoError(t, err)
	assert.Len(t, rec.matching(), before, "a closed store's logger still receives go-redis's lines")
}

func TestOpenConfigLogsAFailedProbe(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	srv.Kill()
	rec := &recorder{}
	store, err := rediscache.OpenConfig(bounded(t), rediscache.Config{
		URL: srv.URL(), Timeout: storeTimeout, Logger: slog.New(rec)})
	require.NoError(t, err, "a Redis that is down fails calls, not OpenConfig")
	defer store.Close()
	assert.Len(t, rec.matching("WARN", "Cluster node", "failure=refused"), 1, "%v", rec.matching())
}
