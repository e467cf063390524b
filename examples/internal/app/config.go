package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
)

// storeProbe bounds the store's start-up check (is a one-server URL a
// Cluster node?): long enough for a busy Redis, short enough that a Redis
// that is down delays the start by little.
const storeProbe = 5 * time.Second

// fromEnv builds the resource server from the reference's environment
// variables, read through lookup. With OIDC_RS_CACHE_URL set it opens the
// shared cache (one Redis, a Cluster or Sentinel, with the TLS files of
// OIDC_RS_CACHE_TLS_*), whose client logs to log, and adds it; otherwise
// each process keeps its own. opts (the logger, the observer) go to
// core.New.
func fromEnv(lookup core.LookupFunc, opts []core.Option, log *slog.Logger) (*core.ResourceServer, error) {
	s, err := core.SettingsFromEnv(lookup)
	if err != nil {
		return nil, errors.Join(err, s.Validate())
	}
	if s.CacheURL == "" {
		return core.New(s, opts...)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeProbe)
	defer cancel()
	store, err := rediscache.OpenConfig(ctx, rediscache.ConfigFrom(s, log))
	if err != nil {
		return nil, err
	}
	rs, err := core.New(s, append(opts[:len(opts):len(opts)], core.WithSharedCache(store))...)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return rs, nil
}
