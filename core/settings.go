package core

import (
	"net/url"
	"time"

	"github.com/oidcrs/oidcrs/internal/httpclient"
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
	// BackendJWTAccessToken checks RFC 9068 JWT access tokens locally,
	// against the authorization server's signing keys, with no call per
	// token. It needs no introspection endpoint and no client credentials.
	BackendJWTAccessToken Backend = "jwt-access-token"
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
	// PrivateKeyJWT sends a client assertion, a short-lived JWT signed
	// with the resource server's first private key (RFC 7523 section 2.2),
	// whose public half /jwks publishes with use "sig".
	PrivateKeyJWT ClientAuthMethod = "private_key_jwt"
)

// Defaults applied by New for zero-valued settings; each Settings field
// states its own.
const (
	defaultTimeout          = httpclient.DefaultTimeout
	defaultAudienceClaim    = "client_id"
	defaultRealm            = "oidcrs"
	defaultCacheTTL         = 60 * time.Second
	defaultCacheNegativeTTL = 5 * time.Second
	defaultCacheSize        = 100_000
	defaultJWTMaxAge        = 60 * time.Second
	defaultCacheTimeout     = 50 * time.Millisecond
	defaultLogInterval      = 30 * time.Second
	defaultMaxCalls         = 32
	minCacheSecretLen       = 32
)

// Settings configures a ResourceServer. Each field names the environment
// variable SettingsFromEnv reads it from; the names are the reference's.
// Printing or logging Settings redacts the secret and the key.
type Settings struct {
	// Backend selects JSON or JWT introspection, or local RFC 9068 JWT
	// access tokens (OIDC_RS_BACKEND_CLASS). Required.
	Backend Backend
	// ClientID is the resource server's client id at the authorization
	// server (OIDC_RS_CLIENT_ID, falling back to OIDC_RP_CLIENT_ID).
	// Required to introspect. In JWT mode it is also the expected aud of
	// the response.
	ClientID string
	// ClientSecret authenticates ClientID (OIDC_RS_CLIENT_SECRET, falling
	// back to OIDC_RP_CLIENT_SECRET). Required to introspect. Redacted when
	// printed.
	ClientSecret string
	// Issuer is the authorization server's issuer URL (OIDC_OP_URL),
	// compared exactly. Required.
	Issuer string
	// IntrospectionEndpoint is the introspection URL
	// (OIDC_OP_INTROSPECTION_ENDPOINT). Default: discovered from Issuer
	// (OpenID Connect discovery, then RFC 8414) on first need.
	IntrospectionEndpoint string
	// JWKSEndpoint is the authorization server's JWKS URL, whose keys sign
	// RFC 9701 answers and JWT access tokens (OIDC_OP_JWKS_ENDPOINT).
	// Default: discovered from Issuer on first need.
	JWKSEndpoint string
	// Resource is this resource server's identifier, an absolute URI
	// (OIDC_RS_RESOURCE). When set, every token's audience (aud of the
	// introspection answer or of the JWT access token) must contain it or
	// one of Audiences (RFC 8707, RFC 9068), the RFC 9728
	// protected-resource metadata is served, and every 401 and 403
	// challenge points at it. BackendJWTAccessToken and LocalJWT need it or
	// Audiences. Default "": no audience check, as in the reference.
	Resource string
	// Audiences are other values of aud that name this resource server,
	// any strings (OIDC_RS_AUDIENCE, separated by commas or spaces), for
	// servers whose audiences are not URIs (ORY Hydra's my-api, Auth0's
	// API identifiers). When set, a token's aud must contain one of them
	// or Resource. Default: none.
	Audiences []string
	// AuthorizationServers are the issuers the metadata names
	// (OIDC_RS_AUTHORIZATION_SERVERS, separated by commas or spaces).
	// Default: [Issuer].
	AuthorizationServers []string
	// ResourceName and ResourceDocumentation are the metadata's
	// resource_name and resource_documentation (OIDC_RS_RESOURCE_NAME,
	// OIDC_RS_RESOURCE_DOCUMENTATION, a URL). Default: left out.
	ResourceName, ResourceDocumentation string
	// CORSOrigins are the origins whose browser pages may call the API
	// (OIDC_RS_CORS_ORIGINS, separated by commas or spaces): each
	// "scheme://host[:port]", or "*" for any. A CORS preflight is never
	// challenged; it is granted to these origins alone (see
	// ResourceServer.CORS). Default: none, browsers keep to the same
	// origin. The RFC 9728 metadata is public: any origin may read it.
	CORSOrigins []string
	// DPoP says how DPoP-bound tokens (RFC 9449) are taken (OIDC_RS_DPOP):
	// DPoPOff, DPoPAllowed or DPoPRequired. A bound token is never accepted
	// as a Bearer token, whatever the mode. Default: DPoPAllowed.
	DPoP DPoPMode
	// ExternalURL is the scheme://host[:port] clients call this server at
	// (OIDC_RS_EXTERNAL_URL): a DPoP proof's htu must be it followed by
	// the request's path; never read from the Host header. Default: the
	// origin of Resource; without either, every DPoP proof is refused.
	ExternalURL string
	// ClientCertHeader names the header in which a TLS-terminating proxy
	// forwards the client's certificate (OIDC_RS_CLIENT_CERT_HEADER), for
	// certificate-bound tokens (RFC 8705): URL-encoded PEM (nginx's
	// $ssl_client_escaped_cert) or base64 DER. Once set it is the only
	// source, the connection's own is ignored: the proxy must overwrite
	// it on every request. Default: none, the TLS connection's certificate.
	ClientCertHeader string
	// LocalJWT checks RFC 9068 JWT access tokens of Issuer locally beside
	// an introspection backend (OIDC_RS_LOCAL_JWT): a JWS with typ at+jwt
	// whose iss is Issuer is verified against the signing keys, any other
	// token is introspected. Default false.
	LocalJWT bool
	// AudienceClaim names the claim of the introspection answer that holds
	// the token's origin audience (OIDC_RS_AUDIENCE_CLAIM). Default
	// "client_id".
	AudienceClaim string
	// Scopes lists the scopes of which a token must carry at least one
	// (OIDC_RS_SCOPES). Required.
	Scopes []string
	// ScopeClaim names the one claim that holds a token's scopes, in
	// introspection answers and JWT access tokens (OIDC_RS_SCOPE_CLAIM): a
	// space-separated string, or, for any claim but scope, an array of
	// strings. Default "": scope, or when it is absent scp (ORY Hydra,
	// Entra ID, Okta).
	ScopeClaim string
	// JWTTypes lists the typ headers accepted on JWT access tokens checked
	// locally (OIDC_RS_JWT_TYPES, separated by commas or spaces): at+jwt
	// (RFC 9068; application/at+jwt is the same), JWT (application/jwt)
	// and none (no typ). Many servers send JWT. Allowing anything but
	// at+jwt lets ID tokens reach the claim checks, which then refuse a
	// token with nonce or at_hash, or with none of a scope claim,
	// client_id and azp. Default [at+jwt].
	JWTTypes []string
	// SigningAlgorithm lists the JWS algs accepted on RFC 9701 answers and
	// on JWT access tokens, separated by commas or spaces
	// (OIDC_RS_SIGNING_ALGO); never "none" or an HMAC alg. Required for
	// BackendJWT (the reference names one); default "RS256" for JWT access
	// tokens.
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
	// MaxConcurrentCalls bounds the calls to the authorization server in
	// flight at once, per ResourceServer: introspection, JWKS and
	// discovery (OIDC_RS_MAX_CONCURRENT_CALLS). As many more wait, each
	// for at most Timeout; a request beyond them is answered 503 with
	// Retry-After at once. Cached verdicts never wait. Default 32.
	MaxConcurrentCalls int
	// Proxy is the proxy URL for calls to the authorization server
	// (OIDC_PROXY). Default: the environment's HTTPS_PROXY and friends.
	Proxy string
	// ClientAuth is how the resource server authenticates at the
	// introspection endpoint (OIDC_RS_CLIENT_AUTH_METHOD). Default "":
	// chosen on the first introspection from the authorization server's
	// introspection_endpoint_auth_methods_supported, client_secret_post
	// when it lists it or lists nothing, else client_secret_basic when it
	// lists that; never private_key_jwt, which must be set.
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
	// CacheStaleIfError is how long past its cache TTL a verified answer
	// may still be used while the authorization server is unreachable or
	// answers 5xx (OIDC_RS_CACHE_STALE_IF_ERROR, in seconds): never past
	// the token's exp, never for a token forgotten or rejected. During an
	// outage a revoked token then lives up to CacheTTL plus this. Default
	// 0: off.
	CacheStaleIfError time.Duration
	// CacheURL is the address of the cache shared by replicas
	// (OIDC_RS_CACHE_URL). Core does not read it: the store's module (such
	// as cache/redis) parses it, opens it, and WithSharedCache adds it;
	// New fails when it is set without a shared cache. Default "": each
	// replica keeps its own cache. Its passwords are redacted when printed.
	CacheURL string
	// CacheTLSCAFile is a PEM file of the certificate authorities that the
	// shared cache's server certificate must chain to
	// (OIDC_RS_CACHE_TLS_CA_FILE). It does not change the trust store used
	// for the authorization server. Default "": the system's roots.
	CacheTLSCAFile string
	// CacheTLSCertFile and CacheTLSKeyFile are the PEM certificate and
	// private key this replica presents to the shared cache
	// (OIDC_RS_CACHE_TLS_CERT_FILE, OIDC_RS_CACHE_TLS_KEY_FILE), for a
	// server that requires client certificates. Both or neither. Default
	// "": no client certificate.
	CacheTLSCertFile string
	// CacheTLSKeyFile: see CacheTLSCertFile.
	CacheTLSKeyFile string
	// CacheSecrets key and seal the shared cache's entries
	// (OIDC_RS_CACHE_SECRET, comma separated, each at least 32 bytes): the
	// first writes and all of them read, so that a new secret can be put
	// first and the old one dropped after a cache TTL. Required with a
	// shared cache. Redacted when printed.
	CacheSecrets []string
	// CacheTimeout bounds each call to the shared cache
	// (OIDC_RS_CACHE_TIMEOUT, in seconds). Default 50 ms.
	CacheTimeout time.Duration
	// LogInterval is the least time between two Warn summaries while an
	// endpoint (the authorization server, its JWKS, discovery, the shared
	// cache) keeps failing, and how long it must go without a failure to
	// be back (OIDC_RS_LOG_INTERVAL, in seconds). Default 30 s.
	LogInterval time.Duration
}

// withDefaults returns s with zero-valued optional fields set.
func (s Settings) withDefaults() Settings {
	if len(s.JWTTypes) == 0 {
		s.JWTTypes = []string{defaultJWTType}
	}
	if s.AudienceClaim == "" {
		s.AudienceClaim = defaultAudienceClaim
	}
	if s.Timeout == 0 {
		s.Timeout = defaultTimeout
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
	if s.CacheTimeout == 0 {
		s.CacheTimeout = defaultCacheTimeout
	}
	if s.DPoP == "" {
		s.DPoP = DPoPAllowed
	}
	if s.ExternalURL == "" && s.Resource != "" {
		if u, err := url.Parse(s.Resource); err == nil && u.Scheme != "" && u.Host != "" {
			s.ExternalURL = u.Scheme + "://" + u.Host
		}
	}
	if s.LogInterval == 0 {
		s.LogInterval = defaultLogInterval
	}
	if s.MaxConcurrentCalls == 0 {
		s.MaxConcurrentCalls = defaultMaxCalls
	}
	return s
}
