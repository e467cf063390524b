package rediscache

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// kind is the deployment a URL names.
type kind int

const (
	kindSingle   kind = iota // one server: redis.ParseURL
	kindSentinel             // master_name=: redis.ParseFailoverURL
	kindCluster              // addr=: redis.ParseClusterURL
)

// parsedURL is a Redis URL parsed by go-redis's parser for its kind:
// exactly one of the options is set.
type parsedURL struct {
	kind     kind
	single   *redis.Options
	sentinel *redis.FailoverOptions
	cluster  *redis.ClusterOptions
	secrets  []string // the URL's passwords, to keep out of errors
}

// tls reports whether the URL asks for TLS (rediss://).
func (p *parsedURL) tls() bool {
	switch p.kind {
	case kindSentinel:
		return p.sentinel.TLSConfig != nil
	case kindCluster:
		return p.cluster.TLSConfig != nil
	}
	return p.single.TLSConfig != nil
}

const urlForms = "redis://[user:password@]host[:port][/db], rediss://... (TLS) or unix://[user:password@]/path.sock[?db=n] for one server, " +
	"...?addr=host:port[&addr=...] for a Redis Cluster, or ...?master_name=name for Sentinel"

// parseURL tells the deployment rawURL names and parses it with go-redis's
// own parser for it. No error contains a password of the URL.
func parseURL(rawURL string) (*parsedURL, error) {
	if host := authorityHost(rawURL); strings.Contains(host, ",") {
		return nil, errors.New("rediscache: the Redis URL names several hosts separated by commas, which go-redis does not read: " +
			"name one host and add each other node as addr=host:port (Redis Cluster), or the sentinels as addr=host:port with master_name=name (Sentinel)")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		return nil, errors.New("rediscache: the Redis URL does not parse (details withheld: it may hold a password)")
	}
	p := &parsedURL{secrets: urlSecrets(rawURL, u)}
	if u.Opaque != "" {
		return nil, errors.New("rediscache: the Redis URL is not of a supported form: " + urlForms)
	}
	switch u.Scheme {
	case "redis", "rediss", "unix":
	default:
		return nil, fmt.Errorf("rediscache: Redis URL scheme %q is not supported: use %s", u.Scheme, urlForms)
	}
	q := u.Query()
	for _, a := range q["addr"] {
		if strings.Contains(a, ",") {
			return nil, errors.New("rediscache: an addr= of the Redis URL holds a comma: give one host:port per addr=")
		}
	}
	switch {
	case q.Has("master_name"):
		p.kind = kindSentinel
	case q.Has("addr"):
		p.kind = kindCluster
	}
	if u.Scheme == "unix" && p.kind != kindSingle {
		return nil, errors.New("rediscache: a unix:// Redis URL names one server: it takes neither addr= nor master_name=")
	}
	if err := p.parse(rawURL); err != nil {
		// A new error, not a wrapper: the original must not be reachable.
		return nil, errors.New("rediscache: Redis URL: " + redact(err.Error(), p.secrets))
	}
	if err := p.check(u); err != nil {
		return nil, err
	}
	return p, nil
}

// parse runs go-redis's parser for p.kind.
func (p *parsedURL) parse(rawURL string) (err error) {
	switch p.kind {
	case kindSentinel:
		p.sentinel, err = redis.ParseFailoverURL(rawURL)
	case kindCluster:
		p.cluster, err = redis.ParseClusterURL(rawURL)
	default:
		p.single, err = redis.ParseURL(rawURL)
	}
	return err
}

// check refuses what go-redis's parsers accept but the store cannot use:
// reads from replicas, which may not have seen a Forget yet, options that
// make go-redis panic, and a Cluster database other than 0.
func (p *parsedURL) check(u *url.URL) error {
	switch p.kind {
	case kindSentinel:
		o := p.sentinel
		if o.MasterName == "" {
			return errors.New("rediscache: Redis URL: master_name= is empty")
		}
		if o.RouteByLatency || o.RouteRandomly || o.ReplicaOnly {
			return errors.New("rediscache: Redis URL: route_by_latency, route_randomly and replica_only are not supported: the store reads and writes on the master")
		}
	case kindCluster:
		o := p.cluster
		if o.ReadOnly || o.RouteByLatency || o.RouteRandomly {
			return errors.New("rediscache: Redis URL: read_only, route_by_latency and route_randomly are not supported: the store reads from masters, as a replica may lag behind a Forget")
		}
		if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
			return errors.New("rediscache: Redis URL: a Redis Cluster has only database 0")
		}
	}
	return nil
}

// authorityHost returns the host part of rawURL's authority, as written:
// what lies between "://" and the path, after any user info.
func authorityHost(rawURL string) string {
	_, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	return rest
}

// urlSecrets returns the passwords of rawURL, decoded and as written: the
// user info's (a Sentinel URL's is the sentinels' password) and any
// password= of the query (a Sentinel URL's master password).
func urlSecrets(rawURL string, u *url.URL) []string {
	var secrets []string
	add := func(s ...string) {
		for _, v := range s {
			if v != "" {
				secrets = append(secrets, v)
			}
		}
	}
	if p, ok := u.User.Password(); ok {
		add(p, url.PathEscape(p), url.QueryEscape(p))
	}
	if _, rest, ok := strings.Cut(rawURL, "://"); ok {
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if _, p, ok := strings.Cut(rest[:at], ":"); ok {
				add(p)
			}
		}
	}
	for _, p := range u.Query()["password"] {
		add(p, url.QueryEscape(p), url.PathEscape(p))
	}
	for param := range strings.SplitSeq(u.RawQuery, "&") {
		if v, ok := strings.CutPrefix(param, "password="); ok {
			add(v)
		}
	}
	return secrets
}

// redact replaces every secret in msg.
func redact(msg string, secrets []string) string {
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return msg
}
