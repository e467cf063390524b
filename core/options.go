package core

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a collaborator of a ResourceServer.
type Option func(*options)

type options struct {
	client     *http.Client
	logger     *slog.Logger
	now        func() time.Time // WithClock's until buildOptions, then clock.now
	clock      *clock
	shared     SharedStore
	issuers    []Settings
	observer   *Observer
	userLookup UserLookupFunc
}

// UserLookupFunc maps a verified token to the application's user. It is
// called on every authenticated request, after the cache. Returning a nil
// user, or an error that wraps ErrInvalidToken, rejects the request with
// 401 "Login failed: No user found for the given access token."; any other
// error rejects it with 503. An error goes to the log only, never to the
// client. It must be safe for concurrent use.
type UserLookupFunc func(ctx context.Context, ti *TokenInfo) (any, error)

// WithHTTPClient sets the client for calls to the authorization server.
// Default value: a client built from Settings (timeout, proxy, TLS
// verification) with keep-alive, 64 idle connections per host and no
// redirects. A client given here is used as is: give it a timeout.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithLogger sets the logger. Rejections log at Debug; an endpoint that
// fails (the authorization server, its keys, discovery, the shared cache)
// logs at Warn once when it starts failing, in a summary at most once per
// Settings.LogInterval, and at Info when it is back (a whole LogInterval
// without a failure, so that an endpoint failing in part stays one
// degradation). Tokens, secrets, keys
// and Authorization headers are never logged. Default value: a logger that
// discards everything.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the one clock a ResourceServer reads: exp, nbf, iat, the
// cache, the outage logs' intervals, discovery's retry and the shared
// cache's breaker and waits. Default value: the system clock.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithUserLookup sets the hook that maps a token to the application's
// user. With a hook, a token without sub is rejected with 401 "User info
// contained no recognizable user identification". Default value: none; no
// user is looked up and sub is not required.
func WithUserLookup(f UserLookupFunc) Option { return func(o *options) { o.userLookup = f } }

func buildOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	o.clock = newClock(o.now)
	o.now = o.clock.now
	return o
}

// WithIssuer adds the configuration of another authorization server, so
// that one ResourceServer accepts the tokens of several: each keeps its own
// discovery, signing keys and checks. A JWT access token (typ at+jwt) goes,
// by its iss read before verification, to the configuration that verifies
// that issuer's tokens locally (BackendJWTAccessToken, or LocalJWT), and is
// then verified with that issuer's keys only; every other token goes to the
// one configuration that introspects, and is refused when there is none.
// Only the first configuration (New's Settings) may hold a private key; its
// cache, realm and shared-cache settings serve all. Default value: none.
func WithIssuer(s Settings) Option { return func(o *options) { o.issuers = append(o.issuers, s) } }
