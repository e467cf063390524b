package core

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/oidcrs/oidcrs/core/internal/vcache"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// Names exported for the black-box tests of package core_test only. They
// are behaviour to test, not API.

var (
	ExtractToken       = func(h string) (string, error) { t, _, err := extractToken(h, false); return t, err }
	ExtractCredentials = func(h string) (string, bool, error) {
		t, s, err := extractToken(h, true)
		return t, s == schemeDPoP, err
	}
	SplitScopes      = setting.List
	SplitScopeClaim  = splitScopeClaim
	ParseBackend     = parseBackend
	ParsePrivateKeys = parsePrivateKeys
	NewContext       = newContext
	NewUserContext   = newUserContext
	Printable        = printable
	ParseAudience    = parseAudience
)

const (
	MaxHeaderLength         = maxHeaderLength
	MaxResponseBytes        = maxResponseBytes
	DefaultTimeout          = defaultTimeout
	DefaultRealm            = defaultRealm
	DefaultCacheSize        = defaultCacheSize
	DefaultCacheNegativeTTL = defaultCacheNegativeTTL
	DefaultCacheTTL         = defaultCacheTTL
	DefaultAudienceClaim    = defaultAudienceClaim
	DefaultJWTMaxAge        = defaultJWTMaxAge

	DjangoJSONBackendClass = djangoJSONBackendClass
	DjangoJWTBackendClass  = djangoJWTBackendClass

	DescMissingToken      = descMissingToken
	DescMalformedHeader   = descMalformedHeader
	DescFetchFailed       = descFetchFailed
	DescInvalidJSON       = descInvalidJSON
	DescDecryptionFailed  = descDecryptionFailed
	DescJWKSFailed        = descJWKSFailed
	DescDecodingFailed    = descDecodingFailed
	DescInvalidClaims     = descInvalidClaims
	DescInactive          = descInactive
	DescMissingScope      = descMissingScope
	DescScopesMismatch    = descScopesMismatch
	DescMissingAudience   = descMissingAudience
	DescExpired           = descExpired
	DescNotYetValid       = descNotYetValid
	DescNoSubject         = descNoSubject
	DescNoUser            = descNoUser
	DescMisconfigured     = descMisconfigured
	DescInsufficientScope = descInsufficientScope
	DescUpstreamRejected  = descUpstreamRejected
	DescUserLookupFailed  = descUserLookupFailed
	DescInternal          = descInternal
	DescDiscoveryFailed   = descDiscoveryFailed
	DescTokenMalformed    = descTokenMalformed
	DescTokenType         = descTokenType
	DescTokenEncrypted    = descTokenEncrypted
	DescTokenSignature    = descTokenSignature
	DescWrongResource     = descWrongResource
	DescUnknownIssuer     = descUnknownIssuer
	DescNotAccessToken    = descNotAccessToken

	DescTokenMissingScope    = descTokenMissingScope
	DescTokenScopesMismatch  = descTokenScopesMismatch
	DescTokenMissingAudience = descTokenMissingAudience

	MsgKeyMissing = msgKeyMissing
	MsgKeyWrong   = msgKeyWrong
	MsgKeyLoad    = msgKeyLoad
)

// The invalid_request causes, one per kind of malformed header.
var (
	ErrCauseEmptyToken  = errEmptyToken.cause
	ErrCauseTooLong     = errTooLong.cause
	ErrCauseBadChar     = errBadChar.cause
	ErrCauseTwoTokens   = errTwoTokens.cause
	ErrCauseManyHeaders = errManyHeaders.cause
	ErrClientGone       = errClientGone
	ErrStale            = errStale
	ErrNoIAT            = errNoIAT
	ErrNoIssuer         = errNoIssuer
)

// NewError builds an error of ours, as the library would return it.
func NewError(kind error, desc, scope, retryAfter string, cause error) error {
	return &authError{kind: kind, desc: desc, scope: scope, retryAfter: retryAfter, cause: cause}
}

// ErrorParts returns the fields of an error of ours; ok is false for any
// other error.
func ErrorParts(err error) (kind error, desc, scope string, ok bool) {
	var e *authError
	if !errors.As(err, &e) {
		return nil, "", "", false
	}
	return e.kind, e.desc, e.scope, true
}

// CacheKey is the key of a verdict.
type CacheKey = cacheKey

// CacheEntry is a verdict as the tests build it.
type CacheEntry struct {
	Info    *TokenInfo
	Err     error // built with NewError
	Expires time.Time
}

// MemoryCache is the first-level cache, built alone for its own tests.
type MemoryCache struct{ c *verdictCache }

// NewMemoryCache returns a first-level cache bounded to size.
func NewMemoryCache(size int) *MemoryCache { return &MemoryCache{vcache.New[cached](size)} }

// Get reads an entry.
func (m *MemoryCache) Get(k CacheKey, now time.Time) (CacheEntry, bool) {
	e, ok := m.c.Get(k, now)
	out := CacheEntry{Info: e.Val.info, Expires: e.Expires}
	if e.Val.err != nil {
		out.Err = e.Val.err
	}
	return out, ok
}

// Set stores an entry.
func (m *MemoryCache) Set(k CacheKey, e CacheEntry, now time.Time) {
	var ae *authError
	errors.As(e.Err, &ae)
	m.c.Set(k, cacheEntry{Val: cached{info: e.Info, err: ae}, Expires: e.Expires}, now)
}

// Remove drops an entry.
func (m *MemoryCache) Remove(k CacheKey) { m.c.Remove(k) }

// Len counts the entries.
func (m *MemoryCache) Len() int { return m.c.Len() }

// Entries sums the shards' tables (equal to Len at rest).
func (m *MemoryCache) Entries() int { return m.c.Entries() }

// KeyOf is the cache key of token under no fingerprint: its SHA-256.
func KeyOf(token string) CacheKey { var fp fingerprint; return fp.key(token) }

// KeyFor is the cache key rs uses for token.
func KeyFor(rs *ResourceServer, token string) CacheKey { return rs.fp.key(token) }

// Fingerprint returns rs's settings fingerprint.
func Fingerprint(rs *ResourceServer) [32]byte { return rs.fp.fingerprint }

// JWKSBody returns the body rs's /jwks answers.
func JWKSBody(rs *ResourceServer) []byte {
	return append([]byte(nil), rs.jwks.(*jwksHandler).body...)
}

// CacheLen counts the entries of rs's cache.
func CacheLen(rs *ResourceServer) int { return rs.cache.Len() }

// CacheHas reports whether rs's cache holds a live entry under key.
func CacheHas(rs *ResourceServer, key CacheKey) bool {
	_, ok := rs.cache.Get(key, time.Now())
	return ok
}

// Verify runs the token part of the decision alone, without the header
// rules and the user hook.
func Verify(ctx context.Context, rs *ResourceServer, token string) (*TokenInfo, error) {
	return rs.verify(ctx, token)
}

// NewJWKSHandler builds the /jwks handler from settings alone, as Disabled
// does.
func NewJWKSHandler(s Settings) http.Handler { return newJWKSHandler(s, nil) }

// JSON returns the body Write writes, without the newline.
func (r Response) JSON() []byte {
	rec := httptest.NewRecorder()
	r.Write(rec)
	return bytes.TrimSuffix(rec.Body.Bytes(), []byte("\n"))
}

// CheckClaims runs the claim checks of a JSON-backend ResourceServer with
// settings s (defaults filled in) on claims, decoded with json.Number, at
// now: the TokenInfo a cache miss stores.
func CheckClaims(s Settings, claims map[string]any, now time.Time) (*TokenInfo, error) {
	return newClaimChecker(s.withDefaults()).check(claims, now)
}

// ClaimsDecoded reports whether ti keeps its decoded answer.
func ClaimsDecoded(ti *TokenInfo) bool { return ti.claims.Load() != nil }

// NewHTTPClient is the client New builds for the authorization server.
var NewHTTPClient = newHTTPClient
