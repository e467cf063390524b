package rediscache

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Open returns a Store on a new client for rawURL, which Close closes.
//
// rawURL is redis://[user:password@]host[:port][/db] or, for TLS,
// rediss://...; its query may set other go-redis options (see
// redis.ParseURL), but Open then sets, whatever the URL says: the
// context's deadline applies to every call (ContextTimeoutEnabled), no
// command and no dial is retried (MaxRetries -1, DialerRetries 1), and
// DialTimeout, ReadTimeout, WriteTimeout and PoolTimeout are timeout, which
// bounds a call whose context has no deadline. A timeout that is not
// positive means 50 ms, the resource server's default
// OIDC_RS_CACHE_TIMEOUT.
//
// Open does not connect: a Redis that is down makes the first calls fail,
// not Open. Any other scheme is an error, and no error of Open contains
// the URL's password.
func Open(rawURL string, timeout time.Duration) (*Store, error) {
	opts, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	opts.DialTimeout = timeout
	opts.ReadTimeout = timeout
	opts.WriteTimeout = timeout
	opts.PoolTimeout = timeout
	return &Store{client: redis.NewClient(opts), owned: true, timeout: timeout}, nil
}

// parseURL checks rawURL's scheme, then parses it with redis.ParseURL,
// keeping the password out of its errors.
func parseURL(rawURL string) (*redis.Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		return nil, errors.New("rediscache: the Redis URL does not parse (details withheld: it may hold a password)")
	}
	if u.Opaque != "" {
		return nil, errors.New("rediscache: the Redis URL is not of the form redis://host:port/db or rediss://host:port/db")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("rediscache: Redis URL scheme %q is not supported: use redis:// or rediss:// (TLS)", u.Scheme)
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// A new error, not a wrapper: the original must not be reachable.
		return nil, errors.New("rediscache: Redis URL: " + redact(err.Error(), rawURL, u))
	}
	return opts, nil
}

// redact replaces in msg the password of u, decoded or as written in
// rawURL.
func redact(msg, rawURL string, u *url.URL) string {
	var secrets []string
	if p, ok := u.User.Password(); ok && p != "" {
		secrets = append(secrets, p, url.PathEscape(p), url.QueryEscape(p))
	}
	if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, p, ok := strings.Cut(rest[:at], ":"); ok && p != "" {
				secrets = append(secrets, p)
			}
		}
	}
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return msg
}
