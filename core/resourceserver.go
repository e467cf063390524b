package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ResourceServer decides, for one request, whether its bearer token is
// good and what it says. It is safe for concurrent use. Build it with New,
// NewFromEnv, or Disabled.
type ResourceServer struct {
	settings   Settings
	intro      Introspector
	checker    *claimChecker
	keys       *keyring // nil without OIDC_RS_PRIVATE_KEY_STR
	jwks       *JWKSHandler
	cache      Cache // nil when disabled
	cacheTTL   time.Duration
	negTTL     time.Duration
	flights    flight[CacheKey, *TokenInfo]
	logger     *slog.Logger
	now        func() time.Time
	userLookup UserLookupFunc
	disabled   error
	logOnce    sync.Once
}

// New validates s, parses the keys once, and returns a ResourceServer. Its
// error lists every problem of s (see Settings.Validate).
func New(s Settings, opts ...Option) (*ResourceServer, error) {
	s = s.withDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	rs := &ResourceServer{
		settings:   s,
		checker:    newClaimChecker(s),
		logger:     o.logger,
		now:        o.now,
		userLookup: o.userLookup,
		cacheTTL:   s.CacheTTL,
		negTTL:     s.CacheNegativeTTL,
	}
	if s.PrivateKey != "" {
		kr, err := loadKeyring(s)
		if err != nil {
			return nil, fmt.Errorf("OIDC_RS_PRIVATE_KEY_STR: %w", err)
		}
		rs.keys, rs.jwks = kr, kr.handler()
	} else {
		rs.jwks = jwksError(MsgKeyMissing)
	}
	client := o.client
	if client == nil {
		var err error
		if client, err = newHTTPClient(s); err != nil {
			return nil, err
		}
	}
	ac := &asClient{http: client, endpoint: s.IntrospectionEndpoint, clientID: s.ClientID,
		secret: s.ClientSecret, auth: s.ClientAuth, accept: "application/json", timeout: s.Timeout}
	switch s.Backend {
	case BackendJWT:
		ac.accept = "application/" + typIntrospection
		rs.intro = &jwtIntrospector{client: ac, keys: rs.keys,
			enc: jose.ContentEncryption(s.EncryptionEncoding), sigAlg: jose.SignatureAlgorithm(s.SigningAlgorithm),
			asKeys: &remoteKeySet{url: s.JWKSEndpoint, client: client, timeout: s.Timeout, now: o.now},
			issuer: s.Issuer, clientID: s.ClientID, leeway: s.Leeway, now: o.now}
	default:
		rs.intro = &jsonIntrospector{client: ac}
	}
	switch {
	case s.DisableCache: // OIDC_RS_CACHE_TTL=0 wins over WithCache
	case o.cache != nil:
		rs.cache = o.cache
	default:
		rs.cache = NewMemoryCache(s.CacheSize)
	}
	if s.DisableNegativeCache {
		rs.negTTL = 0
	}
	return rs, nil
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
		s.Realm = DefaultRealm
	}
	return &ResourceServer{settings: s, disabled: reason, logger: o.logger, now: o.now, jwks: NewJWKSHandler(s)}
}

// Realm is the realm of the Bearer challenges.
func (rs *ResourceServer) Realm() string { return rs.settings.Realm }

// Settings returns the settings in force, defaults applied.
func (rs *ResourceServer) Settings() Settings { return rs.settings }

// JWKSHandler serves the public encryption keys at /jwks (GET).
func (rs *ResourceServer) JWKSHandler() http.Handler { return rs.jwks }

// ErrorResponse maps err to its HTTP answer with this server's realm.
func (rs *ResourceServer) ErrorResponse(err error) Response {
	return ErrorResponse(err, rs.settings.Realm)
}

// Authenticate extracts the bearer token from an Authorization header
// value and introspects it. It returns the verified TokenInfo, or an
// *Error: ErrMissingToken when there is no bearer token at all.
func (rs *ResourceServer) Authenticate(ctx context.Context, authorization string) (*TokenInfo, error) {
	tok, err := ExtractToken(authorization)
	if err != nil {
		rs.reject(ctx, err)
		return nil, err
	}
	return rs.Introspect(ctx, tok)
}

var errDisabled = &Error{Kind: ErrMisconfigured, Description: DescMisconfigured}

// Introspect checks a raw token: from the cache, or by asking the
// authorization server, concurrent askers of one token sharing one call.
func (rs *ResourceServer) Introspect(ctx context.Context, token string) (*TokenInfo, error) {
	if rs.disabled != nil {
		rs.logOnce.Do(func() {
			rs.logger.LogAttrs(ctx, slog.LevelError, "oidcrs: resource server is disabled", slog.String("reason", rs.disabled.Error()))
		})
		return nil, errDisabled
	}
	key := KeyOf(token)
	if rs.cache != nil {
		// One clock read per hit. The entry's own expiry and the token's exp
		// are checked again here, so that a Cache that returns stale entries
		// cannot resurrect a token.
		now := rs.now()
		if e, ok := rs.cache.Get(key, now); ok && now.Before(e.Expires) {
			if e.Info != nil && (e.Info.ExpiresAt.IsZero() || now.Before(e.Info.ExpiresAt.Add(rs.settings.Leeway))) {
				return e.Info, nil
			}
			if e.Info == nil && e.Err != nil {
				rs.reject(ctx, e.Err)
				return nil, e.Err
			}
		}
	}
	ti, err := rs.flights.do(ctx, key, func(ctx context.Context) (*TokenInfo, error) {
		return rs.introspect(ctx, key, token)
	})
	if err != nil {
		err = asError(err, ErrUnavailable, DescFetchFailed)
		rs.reject(ctx, err)
		return nil, err
	}
	return ti, nil
}

// introspect asks the authorization server, checks the answer and caches
// the verdict. It runs once per token for all concurrent callers.
func (rs *ResourceServer) introspect(ctx context.Context, key CacheKey, token string) (*TokenInfo, error) {
	claims, err := rs.intro.Introspect(ctx, token)
	if err != nil {
		return nil, err
	}
	now := rs.now()
	ti, err := rs.checker.check(claims, now)
	if rs.cache == nil {
		return ti, err
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && !errors.Is(e.Kind, ErrBadResponse) && rs.negTTL > 0 {
			rs.cache.Set(key, CacheEntry{Err: e, Expires: now.Add(rs.negTTL)})
		}
		return nil, err
	}
	exp := now.Add(rs.cacheTTL)
	if !ti.ExpiresAt.IsZero() && ti.ExpiresAt.Before(exp) {
		exp = ti.ExpiresAt
	}
	rs.cache.Set(key, CacheEntry{Info: ti, Expires: exp})
	return ti, nil
}

// LookupUser runs the UserLookup hook, if any, for a verified token. It
// returns (nil, nil) without a hook.
func (rs *ResourceServer) LookupUser(ctx context.Context, ti *TokenInfo) (any, error) {
	if rs.userLookup == nil || ti == nil {
		return nil, nil
	}
	if ti.Subject == "" {
		err := &Error{Kind: ErrInvalidToken, Description: DescNoSubject}
		rs.reject(ctx, err)
		return nil, err
	}
	user, err := rs.userLookup(ctx, ti)
	if err != nil {
		err = asError(err, ErrUnavailable, DescUserLookupFailed)
		rs.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: user lookup failed", slog.String("error", err.Error()))
		return nil, err
	}
	if isNil(user) {
		err := &Error{Kind: ErrInvalidToken, Description: DescNoUser}
		rs.reject(ctx, err)
		return nil, err
	}
	return user, nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// reject logs a rejection: at Warn when the authorization server failed,
// at Debug otherwise (their volume is the client's to choose).
func (rs *ResourceServer) reject(ctx context.Context, err error) {
	level := slog.LevelDebug
	if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadResponse) {
		level = slog.LevelWarn
	}
	if !rs.logger.Enabled(ctx, level) {
		return
	}
	rs.logger.LogAttrs(ctx, level, "oidcrs: request rejected", slog.String("error", err.Error()))
}
