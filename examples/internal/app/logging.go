package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// newLogger returns the examples' logger, writing to w: slog's text
// handler, or its JSON handler with LOG_FORMAT=json, at Info, or at the
// level LOG_LEVEL names (debug, info, warn, error). An unknown value of
// either variable is an error that names it, so that a typo stops the
// start rather than silencing the log.
func newLogger(lookup core.LookupFunc, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	name, _ := lookup("LOG_LEVEL")
	switch strings.ToLower(name) {
	case "", "info":
		level = slog.LevelInfo
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		return nil, fmt.Errorf("LOG_LEVEL: %q is not debug, info, warn or error", name)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format, _ := lookup("LOG_FORMAT"); strings.ToLower(format) {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("LOG_FORMAT: %q is not text or json", format)
	}
}

// logStart logs the one start-up record: where the example listens, which
// authorization server it asks and how, its caches and metrics, and every
// setting, the secrets and keys redacted (Settings.LogValue).
func (a *App) logStart() {
	s := a.RS.Settings()
	as := "external"
	if a.dev != nil {
		as = "development"
	}
	cache := []any{"cache", "off"}
	if !s.DisableCache {
		cache = []any{"cache", "on", "cache_ttl", s.CacheTTL.String()}
	}
	shared := "off"
	if s.CacheURL != "" {
		shared = redactURL(s.CacheURL)
	}
	metrics := "off"
	if a.metrics != nil {
		metrics = "GET /metrics"
	}
	args := append([]any{"addr", a.base, "authorization_server", as, "backend", s.Backend}, cache...)
	args = append(args, "shared_cache", shared, "metrics", metrics, "settings", s)
	a.Log.Info("oidcrs example starting", args...)
}

// redactURL hides a URL's password and query, where credentials may hide.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[REDACTED]"
	}
	u.RawQuery, u.Fragment = "", ""
	return u.Redacted()
}
