package core

import (
	"errors"
	"net/url"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/core/internal/dpop"
	"github.com/oidcrs/oidcrs/internal/algs"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// Validate reports every problem of s at once, each naming its setting, as
// one error (errors.Join). Defaults are applied first. Each problem carries
// its setting's environment name in its type (internal/setting.Error), for
// the oidcrs command; the message starts with it too.
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
		errs = append(errs, setting.Errorf(name, format, args...))
	}
	switch s.Backend {
	case BackendJSON, BackendJWT, BackendJWTAccessToken:
	case "":
		add("OIDC_RS_BACKEND_CLASS", "is required")
	default:
		add("OIDC_RS_BACKEND_CLASS", "unknown backend %q", string(s.Backend))
	}
	if s.Backend != BackendJWTAccessToken {
		if s.ClientID == "" {
			add("OIDC_RS_CLIENT_ID", "is required")
		}
		if s.ClientSecret == "" && s.ClientAuth != PrivateKeyJWT {
			add("OIDC_RS_CLIENT_SECRET", "is required")
		}
	}
	checkURL(add, "OIDC_OP_URL", s.Issuer, true)
	checkURL(add, "OIDC_OP_INTROSPECTION_ENDPOINT", s.IntrospectionEndpoint, false)
	checkURL(add, "OIDC_OP_JWKS_ENDPOINT", s.JWKSEndpoint, false)
	if s.verifiesLocally() && s.Resource == "" && len(s.Audiences) == 0 {
		add("OIDC_RS_RESOURCE", "or OIDC_RS_AUDIENCE is required to check JWT access tokens")
	}
	for _, a := range s.Audiences {
		if !printable(a, false) {
			add("OIDC_RS_AUDIENCE", "audience %q is not printable", a)
		}
	}
	if _, err := parseJWTTypes(s.JWTTypes); err != nil {
		add("OIDC_RS_JWT_TYPES", "%v", err)
	}
	if s.ScopeClaim != "" && !printable(s.ScopeClaim, false) {
		add("OIDC_RS_SCOPE_CLAIM", "must be a printable claim name")
	}
	if s.Resource != "" {
		if u, err := url.Parse(s.Resource); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.Fragment != "" || !printable(s.Resource, false) {
			add("OIDC_RS_RESOURCE", "must be an absolute http(s) URI without a fragment (RFC 8707)")
		}
	}
	for _, as := range s.AuthorizationServers {
		checkURL(add, "OIDC_RS_AUTHORIZATION_SERVERS", as, true)
	}
	if !s.DPoP.valid() {
		add("OIDC_RS_DPOP", "must be off, allowed or required")
	}
	if s.DPoP == DPoPRequired && s.ExternalURL == "" {
		add("OIDC_RS_DPOP", "required needs OIDC_RS_EXTERNAL_URL or OIDC_RS_RESOURCE: a proof's htu is checked against it")
	}
	if s.ExternalURL != "" {
		if _, err := dpop.ParseBase(s.ExternalURL); err != nil || !printable(s.ExternalURL, false) {
			add("OIDC_RS_EXTERNAL_URL", "must be an absolute http(s) URL scheme://host[:port], without a path")
		}
	}
	if s.ClientCertHeader != "" && !validHeaderName(s.ClientCertHeader) {
		add("OIDC_RS_CLIENT_CERT_HEADER", "must be a header field name (RFC 9110 token characters)")
	}
	for _, o := range s.CORSOrigins {
		if !validOrigin(o) {
			add("OIDC_RS_CORS_ORIGINS", "%q is not \"*\" or an origin scheme://host[:port]", o)
		}
	}
	if s.ResourceDocumentation != "" {
		checkURL(add, "OIDC_RS_RESOURCE_DOCUMENTATION", s.ResourceDocumentation, true)
	}
	if s.LocalJWT && !s.introspects() {
		add("OIDC_RS_LOCAL_JWT", "goes with an introspection backend (jwt-access-token checks every token locally)")
	}
	if s.Backend == BackendJWTAccessToken || s.LocalJWT {
		if _, err := s.signingAlgs(); err != nil {
			add("OIDC_RS_SIGNING_ALGO", "%v", err)
		}
	}
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
	case "", ClientSecretPost, ClientSecretBasic:
	case PrivateKeyJWT:
		if s.introspects() && s.PrivateKey == "" {
			add("OIDC_RS_PRIVATE_KEY_STR", "is required for OIDC_RS_CLIENT_AUTH_METHOD=private_key_jwt: it signs the client assertions")
		}
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
	s.validateSharedCache(add)
	if s.Backend == BackendJWT {
		if s.SigningAlgorithm == "" {
			add("OIDC_RS_SIGNING_ALGO", "is required for the JWT backend")
		} else if _, err := s.signingAlgs(); err != nil {
			add("OIDC_RS_SIGNING_ALGO", "%v", err)
		}
		if s.EncryptionEncoding == "" {
			add("OIDC_RS_ENCRYPTION_ENCODING", "is required for the JWT backend")
		} else if !slices.Contains(algs.ContentEncryptions, jose.ContentEncryption(s.EncryptionEncoding)) {
			add("OIDC_RS_ENCRYPTION_ENCODING", "unsupported encoding %q", s.EncryptionEncoding)
		}
		if s.PrivateKey == "" {
			add("OIDC_RS_PRIVATE_KEY_STR", "is required for the JWT backend")
		}
	}
	if s.PrivateKey != "" || s.Backend == BackendJWT {
		if _, err := algs.ParseKey(s.EncryptionAlgorithm, s.KeyType); err != nil {
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

// validateSharedCache checks the shared cache's settings: a URL needs
// secrets, and every secret is long enough.
func (s Settings) validateSharedCache(add func(string, string, ...any)) {
	if s.CacheURL != "" {
		if len(s.CacheSecrets) == 0 {
			add("OIDC_RS_CACHE_SECRET", "is required with OIDC_RS_CACHE_URL (at least %d bytes)", minCacheSecretLen)
		}
		if s.DisableCache {
			add("OIDC_RS_CACHE_URL", "a shared cache needs the cache on (OIDC_RS_CACHE_TTL is 0)")
		}
	}
	for i, sec := range s.CacheSecrets {
		if len(sec) < minCacheSecretLen {
			add("OIDC_RS_CACHE_SECRET", "secret %d is shorter than %d bytes", i+1, minCacheSecretLen)
		}
	}
	if (s.CacheTLSCertFile == "") != (s.CacheTLSKeyFile == "") {
		add("OIDC_RS_CACHE_TLS_CERT_FILE", "and OIDC_RS_CACHE_TLS_KEY_FILE must be set together")
	}
	if s.MaxConcurrentCalls < 0 {
		add("OIDC_RS_MAX_CONCURRENT_CALLS", "must be positive")
	}
	if s.CacheStaleIfError < 0 {
		add("OIDC_RS_CACHE_STALE_IF_ERROR", "must not be negative")
	}
	if s.CacheTimeout < 0 {
		add("OIDC_RS_CACHE_TIMEOUT", "must be positive")
	}
	if s.LogInterval < 0 {
		add("OIDC_RS_LOG_INTERVAL", "must be positive")
	}
}

// introspects reports whether s asks an introspection endpoint.
func (s Settings) introspects() bool { return s.Backend == BackendJSON || s.Backend == BackendJWT }

// verifiesLocally reports whether s checks JWT access tokens itself.
func (s Settings) verifiesLocally() bool { return s.Backend == BackendJWTAccessToken || s.LocalJWT }

// signingAlgs parses SigningAlgorithm with the parser the oidcrs command
// shares (internal/algs): asymmetric JWS algs as a list (commas, spaces, or
// a Python list literal); "RS256" when empty.
func (s Settings) signingAlgs() ([]jose.SignatureAlgorithm, error) {
	return algs.ParseSigning(s.SigningAlgorithm)
}
