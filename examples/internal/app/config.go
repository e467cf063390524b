package app

import (
	"errors"

	rediscache "github.com/oidcrs/oidcrs/cache/redis"
	"github.com/oidcrs/oidcrs/core"
)

// fromEnv builds the resource server from the reference's environment
// variables, read through lookup. With OIDC_RS_CACHE_URL set it opens the
// shared cache (Redis) and adds it; otherwise each process keeps its own.
// opts (the logger, the observer) go to core.New.
func fromEnv(lookup core.LookupFunc, opts []core.Option) (*core.ResourceServer, error) {
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
	store, err := rediscache.Open(s.CacheURL, s.CacheTimeout)
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
