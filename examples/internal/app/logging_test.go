package app

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func TestNewLogger(t *testing.T) {
	for _, tc := range []struct {
		name, format, level string
		wantJSON            bool
		want                slog.Level
		err                 string
	}{
		{name: "defaults", want: slog.LevelInfo},
		{name: "json debug", format: "json", level: "debug", wantJSON: true, want: slog.LevelDebug},
		{name: "text warn, any case", format: "TEXT", level: "Warn", want: slog.LevelWarn},
		{name: "error", level: "error", want: slog.LevelError},
		{name: "bad level", level: "verbose", err: `LOG_LEVEL: "verbose"`},
		{name: "bad format", format: "logfmt", err: `LOG_FORMAT: "logfmt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := newLogger(lookup(map[string]string{"LOG_FORMAT": tc.format, "LOG_LEVEL": tc.level}), &buf)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.True(t, log.Enabled(context.Background(), tc.want))
			assert.False(t, log.Enabled(context.Background(), tc.want-1))
			log.Log(context.Background(), tc.want, "hello")
			assert.Equal(t, tc.wantJSON, json.Valid(buf.Bytes()), buf.String())
		})
	}
}

// TestNewWithRefusesBadLogAndMetricsSettings checks that a typo stops
// the start, every problem named at once.
func TestNewWithRefusesBadLogAndMetricsSettings(t *testing.T) {
	_, err := NewWith(lookup(map[string]string{"ADDR": "127.0.0.1:0", "LOG_LEVEL": "loud", "METRICS": "yes please"}),
		&bytes.Buffer{}, Config{Log: &bytes.Buffer{}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LOG_LEVEL")
	assert.Contains(t, err.Error(), "METRICS")
}

// startLine serves an App until ctx is cancelled and returns its log.
func startLine(t *testing.T, env map[string]string) string {
	t.Helper()
	var log bytes.Buffer
	env["ADDR"] = "127.0.0.1:0"
	a, err := NewWith(lookup(env), &bytes.Buffer{}, Config{Log: &log})
	require.NoError(t, err)
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, a.Serve(ctx, http.NotFoundHandler()))
	return log.String()
}

func TestStartLine(t *testing.T) {
	t.Run("development, text", func(t *testing.T) {
		out := startLine(t, map[string]string{})
		require.Equal(t, 1, strings.Count(out, "\n"), out)
		for _, want := range []string{`level=INFO msg="oidcrs example starting"`, "authorization_server=development",
			"backend=jwt", "cache=on cache_ttl=1m0s", "shared_cache=off", "metrics=off",
			"settings.OIDC_RS_CLIENT_SECRET=[REDACTED]", "settings.OIDC_RS_PRIVATE_KEY_STR=[REDACTED]"} {
			assert.Contains(t, out, want)
		}
		assert.NotContains(t, out, oidcrstest.DefaultClientSecret)
		assert.NotContains(t, out, "PRIVATE KEY")
	})
	t.Run("external, json, cache off, shared cache named", func(t *testing.T) {
		as := oidcrstest.Start(t, oidcrstest.Config{})
		out := startLine(t, map[string]string{"LOG_FORMAT": "json", "OIDC_OP_URL": as.URL,
			"OIDC_RS_BACKEND_CLASS": "json", "OIDC_RS_CLIENT_ID": "rs", "OIDC_RS_CLIENT_SECRET": "s3cret-value",
			"OIDC_RS_SCOPES": "groups", "OIDC_RS_CACHE_TTL": "0", "METRICS": "1"})
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &rec), out)
		assert.Equal(t, "oidcrs example starting", rec["msg"])
		assert.Equal(t, "external", rec["authorization_server"])
		assert.Equal(t, "off", rec["cache"])
		assert.NotContains(t, rec, "cache_ttl")
		assert.Equal(t, "GET /metrics", rec["metrics"])
		settings, ok := rec["settings"].(map[string]any)
		require.True(t, ok, out)
		assert.Equal(t, "[REDACTED]", settings["OIDC_RS_CLIENT_SECRET"])
		assert.NotContains(t, out, "s3cret-value")
	})
}

func TestRedactURL(t *testing.T) {
	assert.Equal(t, "redis://:xxxxx@redis.internal:6379/0", redactURL("redis://:hunter2@redis.internal:6379/0?x=y"))
	assert.Equal(t, "rediss://redis.internal:6380/1", redactURL("rediss://redis.internal:6380/1"))
	assert.Equal(t, "[REDACTED]", redactURL("redis://%zz"))
}
