package core

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/internal/setting"
)

// The reference's Django class paths, accepted verbatim in
// OIDC_RS_BACKEND_CLASS.
const (
	djangoJSONBackendClass = "lasuite.oidc_resource_server.backend.ResourceServerBackend"
	djangoJWTBackendClass  = "lasuite.oidc_resource_server.backend.JWTResourceServerBackend"
)

// LookupFunc reads one environment variable; os.LookupEnv is one.
type LookupFunc func(name string) (string, bool)

// SettingsFromEnv reads Settings from the environment through lookup
// (os.LookupEnv when nil), with the reference's variable names. It reports
// every unreadable value at once, naming each variable; it does not call
// Validate, so missing required values are reported by New.
func SettingsFromEnv(lookup LookupFunc) (Settings, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	get := func(names ...string) string {
		for _, n := range names {
			if v, ok := lookup(n); ok && strings.TrimSpace(v) != "" {
				return strings.TrimSpace(v)
			}
		}
		return ""
	}
	var errs []error
	s := Settings{
		ClientID:              get("OIDC_RS_CLIENT_ID", "OIDC_RP_CLIENT_ID"),
		ClientSecret:          get("OIDC_RS_CLIENT_SECRET", "OIDC_RP_CLIENT_SECRET"),
		Issuer:                get("OIDC_OP_URL"),
		IntrospectionEndpoint: get("OIDC_OP_INTROSPECTION_ENDPOINT"),
		JWKSEndpoint:          get("OIDC_OP_JWKS_ENDPOINT"),
		AudienceClaim:         get("OIDC_RS_AUDIENCE_CLAIM"),
		Scopes:                splitScopes(get("OIDC_RS_SCOPES")),
		SigningAlgorithm:      get("OIDC_RS_SIGNING_ALGO"),
		EncryptionAlgorithm:   get("OIDC_RS_ENCRYPTION_ALGO"),
		EncryptionEncoding:    get("OIDC_RS_ENCRYPTION_ENCODING"),
		KeyType:               strings.ToUpper(get("OIDC_RS_ENCRYPTION_KEY_TYPE")),
		Proxy:                 get("OIDC_PROXY"),
		ClientAuth:            ClientAuthMethod(strings.ToLower(get("OIDC_RS_CLIENT_AUTH_METHOD"))),
		Realm:                 get("OIDC_RS_REALM"),
		CacheURL:              get("OIDC_RS_CACHE_URL"),
		Resource:              get("OIDC_RS_RESOURCE"),
		AuthorizationServers:  splitScopes(get("OIDC_RS_AUTHORIZATION_SERVERS")),
		ResourceName:          get("OIDC_RS_RESOURCE_NAME"),
		ResourceDocumentation: get("OIDC_RS_RESOURCE_DOCUMENTATION"),
	}
	if v := get("OIDC_RS_CACHE_SECRET"); v != "" {
		for sec := range strings.SplitSeq(v, ",") {
			if sec = strings.TrimSpace(sec); sec != "" {
				s.CacheSecrets = append(s.CacheSecrets, sec)
			}
		}
	}
	// The key keeps its own line breaks; only surrounding space is dropped.
	if v, ok := lookup("OIDC_RS_PRIVATE_KEY_STR"); ok {
		s.PrivateKey = strings.TrimSpace(strings.ReplaceAll(v, `\n`, "\n"))
	}
	if v := get("OIDC_RS_BACKEND_CLASS"); v != "" {
		b, err := parseBackend(v)
		if err != nil {
			errs = append(errs, err)
		}
		s.Backend = b
	}
	if v := get("OIDC_RS_LOCAL_JWT"); v != "" {
		b, err := parseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("OIDC_RS_LOCAL_JWT: %w", err))
		}
		s.LocalJWT = b
	}
	if v := get("OIDC_VERIFY_SSL"); v != "" {
		verify, err := parseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("OIDC_VERIFY_SSL: %w", err))
		}
		s.InsecureSkipVerify = err == nil && !verify
	}
	seconds := func(name string, positive bool) time.Duration {
		v := get(name)
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 86400 || (positive && f == 0) {
			errs = append(errs, fmt.Errorf("%s: %q is not a number of seconds", name, v))
			return 0
		}
		return time.Duration(f * float64(time.Second))
	}
	s.Timeout = seconds("OIDC_TIMEOUT", true)
	s.Leeway = seconds("OIDC_RS_LEEWAY", false)
	s.JWTMaxAge = seconds("OIDC_RS_JWT_MAX_AGE", true)
	s.CacheTimeout = seconds("OIDC_RS_CACHE_TIMEOUT", true)
	s.LogInterval = seconds("OIDC_RS_LOG_INTERVAL", true)
	if v := get("OIDC_RS_CACHE_NEGATIVE_TTL"); v != "" {
		s.CacheNegativeTTL = seconds("OIDC_RS_CACHE_NEGATIVE_TTL", false)
		s.DisableNegativeCache = s.CacheNegativeTTL == 0
	}
	if v := get("OIDC_RS_CACHE_TTL"); v != "" {
		s.CacheTTL = seconds("OIDC_RS_CACHE_TTL", false)
		s.DisableCache = s.CacheTTL == 0
	}
	if v := get("OIDC_RS_CACHE_SIZE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("OIDC_RS_CACHE_SIZE: %q is not a positive integer", v))
		}
		s.CacheSize = max(n, 0)
	}
	return s, errors.Join(errs...)
}

// parseBackend reads OIDC_RS_BACKEND_CLASS: the reference's Django class
// paths, or "json" / "jwt" / "jwt-access-token".
func parseBackend(v string) (Backend, error) {
	switch strings.TrimSpace(v) {
	case djangoJSONBackendClass, "json", "JSON":
		return BackendJSON, nil
	case djangoJWTBackendClass, "jwt", "JWT":
		return BackendJWT, nil
	case "jwt-access-token":
		return BackendJWTAccessToken, nil
	}
	return "", fmt.Errorf("OIDC_RS_BACKEND_CLASS: unknown backend %q", v)
}

// splitScopes splits a list value with the one list parser
// (internal/setting.List): commas and/or spaces, or a Python list literal
// such as ["groups", "email"], as a Django setting would have been written.
func splitScopes(v string) []string { return setting.List(v) }

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on", "t", "y":
		return true, nil
	case "0", "false", "no", "off", "f", "n":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", v)
}
