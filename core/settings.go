package core

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Backend names how the authorization server is asked about a token.
type Backend string

const (
	// BackendJSON is RFC 7662 token introspection with a JSON answer
	// (the reference's ResourceServerBackend).
	BackendJSON Backend = "json"
	// BackendJWT is RFC 9701 token introspection with a signed, then
	// encrypted, JWT answer (the reference's JWTResourceServerBackend).
	BackendJWT Backend = "jwt"
)

// ClientAuthMethod is how the resource server authenticates to the
// introspection endpoint.
type ClientAuthMethod string

const (
	// ClientSecretPost sends client_id and client_secret in the form body,
	// as the reference does.
	ClientSecretPost ClientAuthMethod = "client_secret_post"
	// ClientSecretBasic sends them in an HTTP Basic Authorization header
	// (RFC 6749 section 2.3.1).
	ClientSecretBasic ClientAuthMethod = "client_secret_basic"
)

// Defaults applied by New for zero-valued settings; each Settings field
// states its own.
const (
	defaultTimeout          = 3 * time.Second
	defaultAudienceClaim    = "client_id"
	defaultRealm            = "oidcrs"
	defaultCacheTTL         = 60 * time.Second
	defaultCacheNegativeTTL = 5 * time.Second
	defaultCacheSize        = 100_000
	defaultJWTMaxAge        = 60 * time.Second
)

// Settings configures a ResourceServer. Each field names the environment
// variable SettingsFromEnv reads it from; the names are the reference's.
// Printing or logging Settings redacts the secret and the key.
type Settings struct {
	// Backend selects JSON or JWT introspection (OIDC_RS_BACKEND_CLASS).
	// Required.
	Backend Backend
	// ClientID is the resource server's client id at the authorization
	// server (OIDC_RS_CLIENT_ID, falling back to OIDC_RP_CLIENT_ID).
	// Required. In JWT mode it is also the expected aud of the response.
	ClientID string
	// ClientSecret authenticates ClientID (OIDC_RS_CLIENT_SECRET, falling
	// back to OIDC_RP_CLIENT_SECRET). Required. Redacted when printed.
	ClientSecret string
	// Issuer is the authorization server's issuer URL (OIDC_OP_URL).
	// Required.
	Issuer string
	// IntrospectionEndpoint is the introspection URL
	// (OIDC_OP_INTROSPECTION_ENDPOINT). Required.
	IntrospectionEndpoint string
	// JWKSEndpoint is the authorization server's JWKS URL, whose keys sign
	// JWT answers (OIDC_OP_JWKS_ENDPOINT). Required for BackendJWT.
	JWKSEndpoint string
	// AudienceClaim names the claim of the introspection answer that holds
	// the token's origin audience (OIDC_RS_AUDIENCE_CLAIM). Default
	// "client_id".
	AudienceClaim string
	// Scopes lists the scopes of which a token must carry at least one
	// (OIDC_RS_SCOPES). Required.
	Scopes []string
	// SigningAlgorithm is the one JWS alg accepted on JWT answers
	// (OIDC_RS_SIGNING_ALGO). Required for BackendJWT.
	SigningAlgorithm string
	// EncryptionAlgorithm is the one JWE alg accepted, and the alg of the
	// published keys (OIDC_RS_ENCRYPTION_ALGO). Required with a key.
	EncryptionAlgorithm string
	// EncryptionEncoding is the one JWE enc accepted
	// (OIDC_RS_ENCRYPTION_ENCODING). Required for BackendJWT.
	EncryptionEncoding string
	// PrivateKey is the PEM of the resource server's private key or keys
	// (OIDC_RS_PRIVATE_KEY_STR). Several PEM blocks mean rotation: all are
	// published, in order. Required for BackendJWT and for /jwks. Redacted
	// when printed.
	PrivateKey string
	// KeyType is "RSA" or "EC" (OIDC_RS_ENCRYPTION_KEY_TYPE). Required
	// with PrivateKey.
	KeyType string
	// InsecureSkipVerify disables TLS verification of the authorization
	// server (OIDC_VERIFY_SSL=false). Default false: verify.
	InsecureSkipVerify bool
	// Timeout bounds each call to the authorization server (OIDC_TIMEOUT,
	// in seconds). Default 3 s.
	Timeout time.Duration
	// Proxy is the proxy URL for calls to the authorization server
	// (OIDC_PROXY). Default: the environment's HTTPS_PROXY and friends.
	Proxy string
	// ClientAuth is how the resource server authenticates at the
	// introspection endpoint (OIDC_RS_CLIENT_AUTH_METHOD). Default
	// client_secret_post.
	ClientAuth ClientAuthMethod
	// Leeway tolerates clock skew on exp, nbf and iat (OIDC_RS_LEEWAY, in
	// seconds). Default 0.
	Leeway time.Duration
	// JWTMaxAge is how old an RFC 9701 answer may be, by its iat, before it
	// is refused as a possible replay (OIDC_RS_JWT_MAX_AGE, in seconds);
	// Leeway is added to it. Default 60 s.
	JWTMaxAge time.Duration
	// Realm is the realm of the Bearer challenge (OIDC_RS_REALM). Default
	// "oidcrs".
	Realm string
	// CacheTTL caps how long a verified answer is reused (OIDC_RS_CACHE_TTL,
	// in seconds); an answer is never reused past its exp. Default 60 s; set
	// DisableCache (or OIDC_RS_CACHE_TTL=0) to introspect every request.
	CacheTTL time.Duration
	// DisableCache turns the answer cache off, as the reference has none
	// (OIDC_RS_CACHE_TTL=0). Concurrent requests with one token still share
	// one introspection.
	DisableCache bool
	// CacheNegativeTTL is how long an inactive answer is reused
	// (OIDC_RS_CACHE_NEGATIVE_TTL, in seconds). Default 5 s.
	CacheNegativeTTL time.Duration
	// DisableNegativeCache stops caching rejections
	// (OIDC_RS_CACHE_NEGATIVE_TTL=0); verified answers are still cached.
	DisableNegativeCache bool
	// CacheSize bounds the number of cached answers (OIDC_RS_CACHE_SIZE).
	// Default 100,000.
	CacheSize int
}

// withDefaults returns s with zero-valued optional fields set.
func (s Settings) withDefaults() Settings {
	if s.AudienceClaim == "" {
		s.AudienceClaim = defaultAudienceClaim
	}
	if s.Timeout == 0 {
		s.Timeout = defaultTimeout
	}
	if s.ClientAuth == "" {
		s.ClientAuth = ClientSecretPost
	}
	if s.Realm == "" {
		s.Realm = defaultRealm
	}
	if s.CacheTTL == 0 {
		s.CacheTTL = defaultCacheTTL
	}
	if s.CacheNegativeTTL == 0 {
		s.CacheNegativeTTL = defaultCacheNegativeTTL
	}
	if s.CacheSize == 0 {
		s.CacheSize = defaultCacheSize
	}
	if s.JWTMaxAge == 0 {
		s.JWTMaxAge = defaultJWTMaxAge
	}
	return s
}

// Validate reports every problem of s at once, each naming its setting, as
// one error (errors.Join). Defaults are applied first.
func (s Settings) Validate() error {
	_, err := s.withDefaults().validate()
	return err
}

// validate checks s, defaults applied, and returns the keyring it parsed
// (nil without a key), so that New parses the keys once.
func (s Settings) validate() (*keyring, error) {
	var errs []error
	var keys *keyring
	add := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	switch s.Backend {
	case BackendJSON, BackendJWT:
	case "":
		add("OIDC_RS_BACKEND_CLASS", "is required")
	default:
		add("OIDC_RS_BACKEND_CLASS", "unknown backend %q", string(s.Backend))
	}
	if s.ClientID == "" {
		add("OIDC_RS_CLIENT_ID", "is required")
	}
	if s.ClientSecret == "" {
		add("OIDC_RS_CLIENT_SECRET", "is required")
	}
	checkURL(add, "OIDC_OP_URL", s.Issuer, true)
	checkURL(add, "OIDC_OP_INTROSPECTION_ENDPOINT", s.IntrospectionEndpoint, true)
	checkURL(add, "OIDC_OP_JWKS_ENDPOINT", s.JWKSEndpoint, s.Backend == BackendJWT)
	if s.Proxy != "" {
		checkURL(add, "OIDC_PROXY", s.Proxy, true)
	}
	if len(s.Scopes) == 0 {
		add("OIDC_RS_SCOPES", "is required")
	}
	for _, sc := range s.Scopes {
		if !validScopeToken(sc) {
			add("OIDC_RS_SCOPES", "invalid scope %q", sc)
		}
	}
	if !validRealm(s.Realm) {
		add("OIDC_RS_REALM", "must be printable ASCII without quotes or backslashes")
	}
	switch s.ClientAuth {
	case ClientSecretPost, ClientSecretBasic:
	default:
		add("OIDC_RS_CLIENT_AUTH_METHOD", "unknown method %q", string(s.ClientAuth))
	}
	if s.Timeout < 0 {
		add("OIDC_TIMEOUT", "must be positive")
	}
	if s.Leeway < 0 {
		add("OIDC_RS_LEEWAY", "must not be negative")
	}
	if s.CacheTTL < 0 || s.CacheNegativeTTL < 0 || s.CacheSize < 0 {
		add("OIDC_RS_CACHE_TTL", "cache settings must not be negative")
	}
	if s.JWTMaxAge < 0 {
		add("OIDC_RS_JWT_MAX_AGE", "must not be negative")
	}
	if s.Backend == BackendJWT {
		if s.SigningAlgorithm == "" {
			add("OIDC_RS_SIGNING_ALGO", "is required for the JWT backend")
		} else if !slices.Contains(signingAlgorithms, jose.SignatureAlgorithm(s.SigningAlgorithm)) {
			add("OIDC_RS_SIGNING_ALGO", "unsupported algorithm %q", s.SigningAlgorithm)
		}
		if s.EncryptionEncoding == "" {
			add("OIDC_RS_ENCRYPTION_ENCODING", "is required for the JWT backend")
		} else if !slices.Contains(contentEncryptions, jose.ContentEncryption(s.EncryptionEncoding)) {
			add("OIDC_RS_ENCRYPTION_ENCODING", "unsupported encoding %q", s.EncryptionEncoding)
		}
		if s.PrivateKey == "" {
			add("OIDC_RS_PRIVATE_KEY_STR", "is required for the JWT backend")
		}
	}
	if s.PrivateKey != "" || s.Backend == BackendJWT {
		if _, err := parseKeyAlgorithm(s.EncryptionAlgorithm, s.KeyType); err != nil {
			add("OIDC_RS_ENCRYPTION_ALGO", "%v", err)
		} else if s.PrivateKey != "" {
			var err error
			if keys, err = loadKeyring(s); err != nil {
				add("OIDC_RS_PRIVATE_KEY_STR", "%v", err)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

func checkURL(add func(string, string, ...any), name, v string, required bool) {
	if v == "" {
		if required {
			add(name, "is required")
		}
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add(name, "must be an absolute http(s) URL")
	}
}
