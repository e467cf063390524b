package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/flight"
	"github.com/oidcrs/oidcrs/core/internal/sharedcache"
	"github.com/oidcrs/oidcrs/core/internal/vcache"
)

// ResourceServer decides, for one request, whether its bearer token is
// good and what it says. It is safe for concurrent use. Build it with New,
// NewFromEnv, or Disabled. Printing it, with fmt or log/slog, redacts the
// client secret and the private keys.
type ResourceServer struct {
	settings Settings
	issuers  *issuers
	jwks     http.Handler
	metadata *metadata // nil without Settings.Resource
	// serverScopes are the scopes of the server's rule (OIDC_RS_SCOPES of
	// every configuration), routeScopes those of the per-route rules: a
	// 403's challenge names those the request needs.
	serverScopes []string
	routeScopes  *scopeSet
	mon          *monitor
	cache        *verdictCache // nil when disabled
	fp           keyer
	cacheTTL     time.Duration
	negTTL       time.Duration
	flights      flight.Group[cacheKey, *TokenInfo]
	logger       *slog.Logger
	now          func() time.Time // clock.now
	clock        *clock
	userLookup   UserLookupFunc
	disabled     error
	logOnce      sync.Once
	shared       *sharedcache.Cache // nil without WithSharedCache
	ownClient    *http.Client       // the client New built, closed by Close
	closed       atomic.Bool
	closeOnce    sync.Once
	closeErr     error

	gate *callGate  // every call to the authorization server passes it
	dpop *dpopCheck // nil when the DPoP scheme is not taken
}

// New validates s, parses the keys once, and returns a ResourceServer. Its
// error lists every problem of s (see Settings.Validate). WithIssuer adds
// the configurations of further authorization servers; the cache, realm
// and key of s serve them all.
func New(s Settings, opts ...Option) (*ResourceServer, error) {
	s = s.withDefaults()
	kr, err := s.validate()
	if err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	rs := &ResourceServer{
		settings:    s,
		jwks:        newJWKSHandler(s, kr),
		metadata:    newMetadata(s, kr != nil),
		routeScopes: &scopeSet{},
		mon:         newMonitor(o.observer, o.logger, s.LogInterval, o.now),
		logger:      o.logger,
		now:         o.now,
		clock:       o.clock,
		userLookup:  o.userLookup,
		cacheTTL:    s.CacheTTL,
		negTTL:      s.CacheNegativeTTL,
	}
	client := o.client
	if client == nil {
		if client, err = newHTTPClient(s); err != nil {
			return nil, err
		}
		rs.ownClient = client
	}
	rs.dpop = newDPoPCheck(s, o.now)
	rs.gate = newCallGate(s.MaxConcurrentCalls, o.now, o.logger, s.LogInterval)
	if rs.issuers, err = buildIssuers(s, kr, client, o, rs.mon, rs.gate); err != nil {
		return nil, err
	}
	rs.fp = newKeyer(combinedFingerprint(rs.issuers.all), o.shared != nil)
	rs.serverScopes = serverScopesOf(s, o.issuers)
	switch {
	case s.DisableCache: // OIDC_RS_CACHE_TTL=0 wins over any cache
	default:
		rs.cache = vcache.New[cached](s.CacheSize)
	}
	if s.DisableNegativeCache {
		rs.negTTL = 0
	}
	switch {
	case o.shared != nil:
		if rs.shared, err = newSharedCache(s, o.shared, rs.fp.fingerprint, o, rs.cache, rs.mon); err != nil {
			return nil, err
		}
	case s.CacheURL != "":
		return nil, errors.New("OIDC_RS_CACHE_URL: is set, but no shared cache was given: open it with github.com/oidcrs/oidcrs/cache/redis and pass it with WithSharedCache")
	}
	if rs.dpop != nil {
		rs.dpop.shared = rs.shared
	}
	rs.mon.started(endpointsUsed(rs.issuers.all, rs.shared != nil))
	return rs, nil
}

// buildIssuers builds the configuration of s and of each WithIssuer.
func buildIssuers(s Settings, kr *keyring, client *http.Client, o options, mon *monitor, gate *callGate) (*issuers, error) {
	first, err := newIssuer(s, kr, client, o, mon, gate)
	if err != nil {
		return nil, err
	}
	all := []*issuer{first}
	for i, extra := range o.issuers {
		extra = extra.withDefaults()
		prefix := fmt.Sprintf("WithIssuer %d (%s): ", i+1, extra.Issuer)
		if _, err := extra.validate(); err != nil {
			return nil, fmt.Errorf("%s%w", prefix, err)
		}
		if extra.PrivateKey != "" {
			return nil, errors.New(prefix + "OIDC_RS_PRIVATE_KEY_STR: only the first configuration's keys are served and used")
		}
		cfg, err := newIssuer(extra, nil, client, o, mon, gate)
		if err != nil {
			return nil, fmt.Errorf("%s%w", prefix, err)
		}
		all = append(all, cfg)
	}
	return newIssuers(all, o.logger)
}

// NewFromEnv reads Settings with SettingsFromEnv(lookup) and calls New.
func NewFromEnv(lookup LookupFunc, opts ...Option) (*ResourceServer, error) {
	s, err := SettingsFromEnv(lookup)
	if err != nil {
		return nil, errors.Join(err, s.Validate())
	}
	return New(s, opts...)
}

// Disabled returns a ResourceServer that fails closed: every request with
// a bearer token is rejected with 401 "Resource Server is improperly
// configured", and the reason is logged once, at Error, on first use. It
// serves /jwks from s when s holds a usable key. It is for applications
// that must start without resource-server settings.
func Disabled(s Settings, reason error, opts ...Option) *ResourceServer {
	if reason == nil {
		reason = errors.New("no reason given")
	}
	o := buildOptions(opts)
	s = s.withDefaults()
	if !validRealm(s.Realm) {
		s.Realm = defaultRealm
	}
	return &ResourceServer{settings: s, disabled: reason, logger: o.logger, now: o.now, clock: o.clock,
		jwks:     newJWKSHandler(s, nil),
		metadata: newMetadata(s, false)}
}

// Settings returns the settings in force, defaults applied. Printing them
// redacts the secret and the key.
func (rs *ResourceServer) Settings() Settings { return rs.settings }

// JWKSHandler serves the public encryption keys (GET and HEAD): the set
// the authorization server fetches to encrypt RFC 9701 answers to this
// resource server. Without a usable key it answers 500 with the
// reference's message. Mount it at /jwks, outside any authentication.
func (rs *ResourceServer) JWKSHandler() http.Handler {
	if rs == nil {
		return jwksError(msgKeyMissing)
	}
	return rs.jwks
}

// Authenticate makes the whole decision for one request, whatever carries
// it (net/http, an adapter, gRPC, a queue consumer): it takes the bearer
// token from authorization, the values of the request's Authorization
// header (or "authorization" metadata); checks it against the cache or the
// authorization server, then the claims; then runs the WithUserLookup hook.
// On success it returns ctx carrying the TokenInfo (read it with
// FromContext) and the user (UserFromContext). On failure it returns ctx
// unchanged and an error that wraps one of the sentinels: no value, or no
// Bearer value, is ErrMissingToken; more than one value is
// ErrInvalidRequest. Map it with ErrorResponse. A nil ResourceServer fails
// closed with ErrMisconfigured. It is AuthenticateRequest for a request of
// which nothing else is known: a DPoP-bound token is refused.
func (rs *ResourceServer) Authenticate(ctx context.Context, authorization []string) (context.Context, error) {
	return rs.AuthenticateRequest(ctx, Request{Authorization: authorization})
}

func (rs *ResourceServer) authenticate(ctx context.Context, req *Request) (context.Context, error) {
	var header string
	switch len(req.Authorization) {
	case 0:
	case 1:
		header = req.Authorization[0]
	default:
		rs.reject(ctx, errManyHeaders)
		return ctx, errManyHeaders
	}
	tok, scheme, err := extractToken(header, rs.dpop != nil)
	if err != nil {
		err = onScheme(err, scheme)
		rs.reject(ctx, err)
		return ctx, err
	}
	var proofJKT string
	switch {
	case scheme == schemeDPoP:
		if proofJKT, err = rs.dpop.proofKey(ctx, req, tok); err != nil {
			rs.reject(ctx, err)
			return ctx, err
		}
	case rs.dpop != nil && rs.dpop.required:
		rs.reject(ctx, errDPoPRequired)
		return ctx, errDPoPRequired
	}
	ti, err := rs.verify(ctx, tok)
	if err != nil {
		return ctx, onScheme(err, scheme)
	}
	if err := checkBinding(ti.bound, proofJKT, rs.certThumbprint(ti.bound, req)); err != nil {
		err = onScheme(err, scheme)
		rs.reject(ctx, err)
		return ctx, err
	}
	out := newContext(ctx, ti)
	if scheme == schemeDPoP {
		out = context.WithValue(out, dpopKey, &acceptedProof{proof: req.DPoP[0], jkt: proofJKT})
	}
	if rs.userLookup != nil {
		user, err := rs.lookupUser(out, ti)
		if err != nil {
			return ctx, onScheme(err, scheme)
		}
		out = newUserContext(out, user)
	}
	return out, nil
}

// verify checks a raw token: from the cache, or by asking the
// authorization server, concurrent askers of one token sharing one call.
func (rs *ResourceServer) verify(ctx context.Context, token string) (*TokenInfo, error) {
	if rs.closed.Load() {
		return nil, errClosed
	}
	if rs.disabled != nil {
		rs.logOnce.Do(func() {
			rs.logger.LogAttrs(ctx, slog.LevelError, "oidcrs: resource server is disabled", slog.String("reason", rs.disabled.Error()))
		})
		return nil, errDisabled
	}
	key := rs.fp.key(token)
	if rs.cache != nil {
		// One clock read per hit. An entry is never kept past its token's
		// exp (see expiry), and the cache returns none past its expiry.
		if e, ok := rs.cache.Get(key, rs.clock.now()); ok {
			if e.Val.info != nil {
				rs.mon.cache(ctx, 1, true)
				return e.Val.info, nil
			}
			if e.Val.err != nil {
				rs.mon.cache(ctx, 1, true)
				rs.reject(ctx, e.Val.err)
				return nil, e.Val.err
			}
		}
		rs.mon.cache(ctx, 1, false)
	}
	ti, err, joined := rs.flights.Do(ctx, key, func(ctx context.Context) (*TokenInfo, error) {
		return rs.introspect(ctx, key, token)
	})
	if joined {
		rs.mon.collapsed(ctx)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			// The caller's own context ended (the client hung up, or its own
			// deadline passed) while the shared call went on: a client event,
			// not an outage of the authorization server.
			err = newError(ErrUnavailable, descFetchFailed, fmt.Errorf("%w: %w", errClientGone, ctxErr))
		} else {
			err = asError(err, ErrUnavailable, descFetchFailed)
		}
		rs.reject(ctx, err)
		return nil, err
	}
	return ti, nil
}

var errClientGone = errors.New("the request's own context ended while it waited for the authorization server")

// reject logs a rejection at Debug, each cause with its own text: its
// volume is the client's to choose. The authorization server's failures
// reach Warn once per state change, through the monitor, not once per
// request.
func (rs *ResourceServer) reject(ctx context.Context, err error) {
	if !rs.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	msg := "oidcrs: request rejected"
	if errors.Is(err, errClientGone) {
		msg = "oidcrs: client went away while the token was checked"
	}
	rs.logger.LogAttrs(ctx, slog.LevelDebug, msg, slog.String("error", err.Error()))
}
