package core_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// WithSharedCache's settings. The shared cache itself is tested in
// shared_test.go on an in-memory store, and against a real redis-server in
// cache/redis.

const btCacheSecret = "a-cache-secret-of-at-least-32-bytes!"

// unusedStore satisfies core.SharedStore for configuration checks that
// fail before the store is ever called.
type unusedStore struct{ core.SharedStore }

func TestSharedCacheSettings(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	for _, tc := range []struct {
		name  string
		edit  func(*core.Settings)
		store bool
		want  string // in the error; "" for none
	}{
		{name: "URL without secret", edit: func(s *core.Settings) { s.CacheURL = "redis://127.0.0.1:1/0" }, want: "OIDC_RS_CACHE_SECRET"},
		{name: "short secret", edit: func(s *core.Settings) { s.CacheSecrets = []string{"short"} }, want: "OIDC_RS_CACHE_SECRET"},
		{name: "second secret short", edit: func(s *core.Settings) { s.CacheSecrets = []string{btCacheSecret, "short"} }, want: "secret 2"},
		{name: "not a redis URL", edit: func(s *core.Settings) { s.CacheURL, s.CacheSecrets = "http://x", []string{btCacheSecret} },
			want: "OIDC_RS_CACHE_URL"},
		{name: "URL with the cache off", edit: func(s *core.Settings) {
			s.CacheURL, s.CacheSecrets, s.DisableCache = "redis://127.0.0.1:1", []string{btCacheSecret}, true
		}, want: "OIDC_RS_CACHE_TTL"},
		{name: "URL but no store given", edit: func(s *core.Settings) {
			s.CacheURL, s.CacheSecrets, s.DisableCache = "redis://127.0.0.1:1", []string{btCacheSecret}, false
		}, want: "cache/redis"},
		{name: "store without secret", edit: func(s *core.Settings) { s.DisableCache = false }, store: true, want: "OIDC_RS_CACHE_SECRET"},
		{name: "store with the cache off", edit: func(s *core.Settings) { s.CacheSecrets = []string{btCacheSecret} }, store: true,
			want: "OIDC_RS_CACHE_TTL"},
		{name: "negative timeout", edit: func(s *core.Settings) { s.CacheTimeout = -time.Second }, want: "OIDC_RS_CACHE_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := btSettings(t, as)
			tc.edit(&st)
			var opts []core.Option
			if tc.store {
				opts = append(opts, core.WithSharedCache(unusedStore{}))
			}
			rs, err := core.New(st, opts...)
			require.Error(t, err)
			assert.Nil(t, rs)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), btCacheSecret)
		})
	}
}

func TestSharedCacheEnvironment(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	env := btEnvFor(as, map[string]string{
		"OIDC_RS_CACHE_URL":     "redis://user:hunter2-pass@cache.example:6379/2",
		"OIDC_RS_CACHE_SECRET":  " new-secret-of-at-least-32-bytes-long , old-secret-of-at-least-32-bytes-long ",
		"OIDC_RS_CACHE_TIMEOUT": "0.2",
		"OIDC_RS_CACHE_TTL":     "60",
	})
	st, err := core.SettingsFromEnv(btEnv(env))
	require.NoError(t, err)
	assert.Equal(t, "redis://user:hunter2-pass@cache.example:6379/2", st.CacheURL)
	assert.Equal(t, []string{"new-secret-of-at-least-32-bytes-long", "old-secret-of-at-least-32-bytes-long"}, st.CacheSecrets)
	assert.Equal(t, 200*time.Millisecond, st.CacheTimeout)
	require.NoError(t, st.Validate())
	for _, out := range []string{st.String(), fmt.Sprintf("%+v", st), fmt.Sprintf("%#v", st), st.LogValue().String()} {
		assert.NotContains(t, out, "hunter2-pass")
		assert.NotContains(t, out, "secret-of-at-least")
		assert.Contains(t, out, "cache.example")
	}
	_, err = core.NewFromEnv(btEnv(env))
	require.ErrorContains(t, err, "WithSharedCache", "nothing half-configured: the URL needs the store")

	st.CacheSecrets = nil
	st.CacheTimeout = 0
	assert.Equal(t, 50*time.Millisecond, func() time.Duration {
		rs, err := core.New(func() core.Settings { s := st; s.CacheURL = ""; return s }())
		require.NoError(t, err)
		return rs.Settings().CacheTimeout
	}(), "the default per-call timeout")
}

// A Sentinel URL carries the master's password in its query: printed
// settings hide it as they hide the user information's, and core leaves the
// URL's form to the store's module.
func TestSharedCacheURLPasswordsAreRedacted(t *testing.T) {
	t.Parallel()
	st, err := core.SettingsFromEnv(btEnv(map[string]string{
		"OIDC_RS_CACHE_URL":           "redis://:sentinel-hunter2@127.0.0.1:26379/0?master_name=mymaster&password=master-hunter2&addr=127.0.0.1:26380",
		"OIDC_RS_CACHE_TLS_CERT_FILE": "/etc/oidcrs/client.pem",
		"OIDC_RS_CACHE_TLS_KEY_FILE":  "/etc/oidcrs/client-key.pem",
	}))
	require.NoError(t, err)
	assert.Equal(t, "/etc/oidcrs/client.pem", st.CacheTLSCertFile)
	for _, out := range []string{st.String(), fmt.Sprintf("%+v", st), st.LogValue().String()} {
		assert.NotContains(t, out, "hunter2")
		assert.Contains(t, out, "master_name=mymaster")
	}

	st.CacheTLSKeyFile = ""
	assert.ErrorContains(t, st.Validate(), "OIDC_RS_CACHE_TLS_KEY_FILE must be set together")
}
