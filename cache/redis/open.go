package rediscache

import (
	"context"
	"log/slog"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/redis/go-redis/v9"
)

// Config is what OpenConfig needs to open a Store.
type Config struct {
	// URL names the deployment (OIDC_RS_CACHE_URL):
	//   - one server: redis://[user:password@]host[:port][/db],
	//     rediss://... for TLS, or unix://[user:password@]/path.sock[?db=n];
	//   - a Redis Cluster: any addr= in the query, one per further node,
	//     as in redis://host1:6379?addr=host2:6379&addr=host3:6379
	//     (redis.ParseClusterURL);
	//   - Sentinel: master_name= in the query, the host and any addr=
	//     being the sentinels, as in
	//     redis://sentinel1:26379?master_name=mymaster&addr=sentinel2:26379
	//     (redis.ParseFailoverURL). Its user info is the sentinels'
	//     credentials; the master's are username= and password= in the
	//     query.
	// The query may set other go-redis options, but OpenConfig overrides
	// the timeouts and retries (see OpenConfig). Required.
	URL string
	// Timeout bounds each call whose context has no earlier deadline
	// (OIDC_RS_CACHE_TIMEOUT). Default 50 ms.
	Timeout time.Duration
	// TLSCAFile is a PEM file of the certificate authorities the server's
	// certificate must chain to (OIDC_RS_CACHE_TLS_CA_FILE), for this
	// client only. Default "": the system's roots.
	TLSCAFile string
	// TLSCertFile and TLSKeyFile are the PEM client certificate and key
	// (OIDC_RS_CACHE_TLS_CERT_FILE, OIDC_RS_CACHE_TLS_KEY_FILE). Both or
	// neither. Default "": no client certificate.
	TLSCertFile string
	// TLSKeyFile: see TLSCertFile.
	TLSKeyFile string
	// Logger receives the store's own records and go-redis's internal
	// log lines while the Store is open. Default nil: the store logs
	// nothing, and go-redis's lines go where go-redis sends them (standard
	// error by default).
	Logger *slog.Logger
}

// ConfigFrom returns the Config of the resource server's settings
// (OIDC_RS_CACHE_URL, OIDC_RS_CACHE_TIMEOUT, OIDC_RS_CACHE_TLS_*), logging
// to logger (nil: nowhere).
func ConfigFrom(s core.Settings, logger *slog.Logger) Config {
	return Config{
		URL:         s.CacheURL,
		Timeout:     s.CacheTimeout,
		TLSCAFile:   s.CacheTLSCAFile,
		TLSCertFile: s.CacheTLSCertFile,
		TLSKeyFile:  s.CacheTLSKeyFile,
		Logger:      logger,
	}
}

// Open is OpenConfig with only a URL and a timeout; its start-up check
// waits at most timeout (50 ms when not positive).
func Open(rawURL string, timeout time.Duration) (*Store, error) {
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return OpenConfig(ctx, Config{URL: rawURL, Timeout: timeout})
}

// OpenConfig returns a Store on a new client for c.URL, which Close closes:
// a Client for one server, a failover Client for Sentinel, a ClusterClient
// for a Redis Cluster.
//
// Whatever the URL says, the context's deadline applies to every call
// (ContextTimeoutEnabled), no command and no dial is retried (MaxRetries
// -1, DialerRetries 1), and DialTimeout, ReadTimeout, WriteTimeout and
// PoolTimeout are c.Timeout. A Cluster client reloads its slot map every
// 2 s while it is used, besides after each redirection; it follows at
// most max_redirects redirections (3 by default), all within the call's
// deadline.
//
// A one-server URL may name a node of a Redis Cluster, which would share
// nothing: OpenConfig asks that server once, within ctx (INFO cluster),
// and if it is a Cluster node, uses a ClusterClient seeded with its
// address, with the same credentials and TLS. If the server does not
// answer, OpenConfig still returns the Store: Redis being down fails
// calls, not OpenConfig. Calls then fail with a "redirect" cause while
// the URL names a Cluster node, and the Store logs once, at Error, how to
// fix the URL.
//
// No error of OpenConfig contains a password of the URL. A comma-separated
// list of hosts, an unknown scheme or option, TLS files with a URL without
// TLS, and an unreadable or invalid TLS file are errors.
func OpenConfig(ctx context.Context, c Config) (*Store, error) {
	p, err := parseURL(c.URL)
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	s := &Store{owned: true, timeout: timeout, log: c.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if c.Logger != nil { // first, so that the probe's go-redis lines reach it
		s.unlog = forwardGoRedisLog(c.Logger)
	}
	if err := s.connect(ctx, p, c); err != nil {
		if s.unlog != nil {
			s.unlog()
		}
		return nil, err
	}
	return s, nil
}

// connect builds s's client for p, with c's TLS files, under OpenConfig's
// rules, and probes a one-server URL's server.
func (s *Store) connect(ctx context.Context, p *parsedURL, c Config) (err error) {
	timeout := s.timeout
	switch p.kind {
	case kindSentinel:
		o := p.sentinel
		if o.TLSConfig, err = tlsConfig(o.TLSConfig, c); err != nil {
			return err
		}
		o.ContextTimeoutEnabled, o.MaxRetries, o.DialerRetries = true, -1, 1
		o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
		s.client = redis.NewFailoverClient(o)
	case kindCluster:
		o := p.cluster
		if o.TLSConfig, err = tlsConfig(o.TLSConfig, c); err != nil {
			return err
		}
		s.useCluster(redis.NewClusterClient(clusterRules(o, timeout)))
	default:
		o := p.single
		if o.TLSConfig, err = tlsConfig(o.TLSConfig, c); err != nil {
			return err
		}
		o.ContextTimeoutEnabled, o.MaxRetries, o.DialerRetries = true, -1, 1
		o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
		single := redis.NewClient(o)
		s.client = single
		return s.probeCluster(ctx, single)
	}
	return nil
}

// clusterRules sets on o the timeouts and retries OpenConfig promises, and
// the slot map's reload interval.
func clusterRules(o *redis.ClusterOptions, timeout time.Duration) *redis.ClusterOptions {
	o.ContextTimeoutEnabled, o.MaxRetries, o.DialerRetries = true, -1, 1
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
	o.ClusterStateReloadInterval = clusterReload
	return o
}

// clusterReload is how old a Cluster client's slot map may get while it
// is used: after a failover, the new master serves its slots within about
// that time even if no call was redirected.
const clusterReload = 2 * time.Second
