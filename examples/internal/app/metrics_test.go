package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsWrap(t *testing.T) {
	m, err := newMetrics(lookup(map[string]string{"METRICS": "1"}))
	require.NoError(t, err)
	defer m.close()
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "app") })
	h := m.wrap(next)
	m.observer.Cache(context.Background(), 1, false)
	m.observer.Stale(context.Background(), 2)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `oidcrs_cache_lookups_total{`)
	assert.Contains(t, rec.Body.String(), `result="miss"`)
	assert.Regexp(t, `(?m)^oidcrs_cache_stale_total\{[^}]*level="2"[^}]*\} 1$`, rec.Body.String(), "stale-if-error uses")

	for _, r := range []*http.Request{httptest.NewRequest(http.MethodPost, "/metrics", nil),
		httptest.NewRequest(http.MethodGet, "/api/metrics", nil)} {
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		assert.Equal(t, "app", rec.Body.String(), r.Method+" "+r.URL.Path)
	}
}

func TestMetricsOff(t *testing.T) {
	for _, v := range []string{"", "0", "false"} {
		m, err := newMetrics(lookup(map[string]string{"METRICS": v}))
		require.NoError(t, err)
		assert.Nil(t, m)
		next := http.NotFoundHandler()
		rec := httptest.NewRecorder()
		m.wrap(next).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		assert.Equal(t, http.StatusNotFound, rec.Code)
		m.close() // a no-op on nil
	}
}

// TestOnShutdown checks that Serve calls the OnShutdown functions when it
// shuts down.
func TestOnShutdown(t *testing.T) {
	a, err := NewWith(lookup(map[string]string{"ADDR": "127.0.0.1:0"}), &bytes.Buffer{}, Config{Log: io.Discard})
	require.NoError(t, err)
	defer a.Close()
	called := make(chan struct{})
	a.OnShutdown(func() { close(called) })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, a.Serve(ctx, http.NotFoundHandler()))
	<-called
}
