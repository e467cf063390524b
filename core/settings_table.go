package core

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/internal/setting"
)

// settingRow is one row of the settings table: a Settings field, the
// environment variable it is read from, how it is read and printed, and
// whether it changes a verdict. The loader (SettingsFromEnv), the printers
// (String, LogValue, MarshalJSON) and the shared-cache fingerprint all
// walk this one table; a test fails when a Settings field has no row.
type settingRow struct {
	field   string   // the Settings field's name
	name    string   // its environment variable, and its name when printed
	aliases []string // older variables read when name is unset or empty
	// read stores v, a trimmed non-empty value of name, into s. nil: the
	// field is set by another row's variable (DisableCache by
	// OIDC_RS_CACHE_TTL=0).
	read func(s *Settings, v string) error
	// show prints the field, redacted where it is a secret.
	show func(s *Settings) string
	// decisive is set when two servers that differ in this field may judge
	// one token differently: the field is then part of the fingerprint, so
	// that they never share verdicts.
	decisive bool
	// canon, when set, is the fingerprint's form of the field instead of
	// show (the scopes, sorted: their order changes no verdict).
	canon func(s *Settings) string
}

// settingsTable lists every Settings field once, in the order String
// prints them.
var settingsTable = []settingRow{
	{field: "Backend", name: "OIDC_RS_BACKEND_CLASS", decisive: true,
		read: func(s *Settings, v string) (err error) { s.Backend, err = parseBackend(v); return err },
		show: func(s *Settings) string { return string(s.Backend) }},
	text("ClientID", "OIDC_RS_CLIENT_ID", true, func(s *Settings) *string { return &s.ClientID }, "OIDC_RP_CLIENT_ID"),
	secret("ClientSecret", "OIDC_RS_CLIENT_SECRET", func(s *Settings) *string { return &s.ClientSecret }, "OIDC_RP_CLIENT_SECRET"),
	text("Issuer", "OIDC_OP_URL", true, func(s *Settings) *string { return &s.Issuer }),
	text("IntrospectionEndpoint", "OIDC_OP_INTROSPECTION_ENDPOINT", true, func(s *Settings) *string { return &s.IntrospectionEndpoint }),
	text("JWKSEndpoint", "OIDC_OP_JWKS_ENDPOINT", true, func(s *Settings) *string { return &s.JWKSEndpoint }),
	text("Resource", "OIDC_RS_RESOURCE", true, func(s *Settings) *string { return &s.Resource }),
	unordered(list("Audiences", "OIDC_RS_AUDIENCE", true, func(s *Settings) *[]string { return &s.Audiences })),
	boolean("LocalJWT", "OIDC_RS_LOCAL_JWT", true, func(s *Settings) *bool { return &s.LocalJWT }),
	list("AuthorizationServers", "OIDC_RS_AUTHORIZATION_SERVERS", false, func(s *Settings) *[]string { return &s.AuthorizationServers }),
	text("ResourceName", "OIDC_RS_RESOURCE_NAME", false, func(s *Settings) *string { return &s.ResourceName }),
	text("ResourceDocumentation", "OIDC_RS_RESOURCE_DOCUMENTATION", false, func(s *Settings) *string { return &s.ResourceDocumentation }),
	list("CORSOrigins", "OIDC_RS_CORS_ORIGINS", false, func(s *Settings) *[]string { return &s.CORSOrigins }),
	{field: "DPoP", name: "OIDC_RS_DPOP",
		read: func(s *Settings, v string) error { s.DPoP = DPoPMode(strings.ToLower(v)); return nil },
		show: func(s *Settings) string { return string(s.DPoP) }},
	text("ExternalURL", "OIDC_RS_EXTERNAL_URL", false, func(s *Settings) *string { return &s.ExternalURL }),
	text("ClientCertHeader", "OIDC_RS_CLIENT_CERT_HEADER", false, func(s *Settings) *string { return &s.ClientCertHeader }),
	text("AudienceClaim", "OIDC_RS_AUDIENCE_CLAIM", true, func(s *Settings) *string { return &s.AudienceClaim }),
	unordered(list("Scopes", "OIDC_RS_SCOPES", true, func(s *Settings) *[]string { return &s.Scopes })),
	text("ScopeClaim", "OIDC_RS_SCOPE_CLAIM", true, func(s *Settings) *string { return &s.ScopeClaim }),
	unordered(list("JWTTypes", "OIDC_RS_JWT_TYPES", true, func(s *Settings) *[]string { return &s.JWTTypes })),
	text("SigningAlgorithm", "OIDC_RS_SIGNING_ALGO", true, func(s *Settings) *string { return &s.SigningAlgorithm }),
	text("EncryptionAlgorithm", "OIDC_RS_ENCRYPTION_ALGO", true, func(s *Settings) *string { return &s.EncryptionAlgorithm }),
	text("EncryptionEncoding", "OIDC_RS_ENCRYPTION_ENCODING", true, func(s *Settings) *string { return &s.EncryptionEncoding }),
	{field: "PrivateKey", name: "OIDC_RS_PRIVATE_KEY_STR",
		// The key keeps its own line breaks; a literal \n is one too.
		read: func(s *Settings, v string) error {
			s.PrivateKey = strings.TrimSpace(strings.ReplaceAll(v, `\n`, "\n"))
			return nil
		},
		show: func(s *Settings) string { return redact(s.PrivateKey) }},
	{field: "KeyType", name: "OIDC_RS_ENCRYPTION_KEY_TYPE",
		read: func(s *Settings, v string) error { s.KeyType = strings.ToUpper(v); return nil },
		show: func(s *Settings) string { return s.KeyType }},
	// A replica that does not verify TLS, or goes through another proxy,
	// may believe another server: it never shares verdicts with one that
	// verifies.
	{field: "InsecureSkipVerify", name: "OIDC_VERIFY_SSL", decisive: true,
		read: func(s *Settings, v string) error {
			verify, err := parseBool(v)
			s.InsecureSkipVerify = err == nil && !verify
			return err
		},
		show: func(s *Settings) string { return strconv.FormatBool(!s.InsecureSkipVerify) }},
	duration("Timeout", "OIDC_TIMEOUT", true, false, func(s *Settings) *time.Duration { return &s.Timeout }),
	positiveInt("MaxConcurrentCalls", "OIDC_RS_MAX_CONCURRENT_CALLS", func(s *Settings) *int { return &s.MaxConcurrentCalls }),
	{field: "Proxy", name: "OIDC_PROXY", decisive: true,
		read: func(s *Settings, v string) error { s.Proxy = v; return nil },
		show: func(s *Settings) string { return redactURL(s.Proxy) }},
	{field: "ClientAuth", name: "OIDC_RS_CLIENT_AUTH_METHOD",
		read: func(s *Settings, v string) error { s.ClientAuth = ClientAuthMethod(strings.ToLower(v)); return nil },
		show: func(s *Settings) string { return string(s.ClientAuth) }},
	// The leeway and the answers' maximum age decide whether a token or an
	// answer is still good.
	duration("Leeway", "OIDC_RS_LEEWAY", false, true, func(s *Settings) *time.Duration { return &s.Leeway }),
	duration("JWTMaxAge", "OIDC_RS_JWT_MAX_AGE", true, true, func(s *Settings) *time.Duration { return &s.JWTMaxAge }),
	text("Realm", "OIDC_RS_REALM", false, func(s *Settings) *string { return &s.Realm }),
	{field: "CacheTTL", name: "OIDC_RS_CACHE_TTL",
		read: func(s *Settings, v string) (err error) {
			s.CacheTTL, err = parseSeconds(v, false)
			s.DisableCache = s.CacheTTL == 0
			return err
		},
		show: func(s *Settings) string { return s.CacheTTL.String() }},
	{field: "DisableCache", name: "cache_disabled",
		show: func(s *Settings) string { return strconv.FormatBool(s.DisableCache) }},
	{field: "CacheNegativeTTL", name: "OIDC_RS_CACHE_NEGATIVE_TTL",
		read: func(s *Settings, v string) (err error) {
			s.CacheNegativeTTL, err = parseSeconds(v, false)
			s.DisableNegativeCache = s.CacheNegativeTTL == 0
			return err
		},
		show: func(s *Settings) string { return s.CacheNegativeTTL.String() }},
	{field: "DisableNegativeCache", name: "negative_cache_disabled",
		show: func(s *Settings) string { return strconv.FormatBool(s.DisableNegativeCache) }},
	positiveInt("CacheSize", "OIDC_RS_CACHE_SIZE", func(s *Settings) *int { return &s.CacheSize }),
	duration("CacheStaleIfError", "OIDC_RS_CACHE_STALE_IF_ERROR", false, false, func(s *Settings) *time.Duration { return &s.CacheStaleIfError }),
	{field: "CacheURL", name: "OIDC_RS_CACHE_URL",
		read: func(s *Settings, v string) error { s.CacheURL = v; return nil },
		show: func(s *Settings) string { return redactURL(s.CacheURL) }},
	text("CacheTLSCAFile", "OIDC_RS_CACHE_TLS_CA_FILE", false, func(s *Settings) *string { return &s.CacheTLSCAFile }),
	text("CacheTLSCertFile", "OIDC_RS_CACHE_TLS_CERT_FILE", false, func(s *Settings) *string { return &s.CacheTLSCertFile }),
	text("CacheTLSKeyFile", "OIDC_RS_CACHE_TLS_KEY_FILE", false, func(s *Settings) *string { return &s.CacheTLSKeyFile }),
	{field: "CacheSecrets", name: "OIDC_RS_CACHE_SECRET",
		read: func(s *Settings, v string) error {
			for sec := range strings.SplitSeq(v, ",") {
				if sec = strings.TrimSpace(sec); sec != "" {
					s.CacheSecrets = append(s.CacheSecrets, sec)
				}
			}
			return nil
		},
		show: func(s *Settings) string {
			return strings.TrimSuffix(strings.Repeat(redacted+",", len(s.CacheSecrets)), ",")
		}},
	duration("CacheTimeout", "OIDC_RS_CACHE_TIMEOUT", true, false, func(s *Settings) *time.Duration { return &s.CacheTimeout }),
	duration("LogInterval", "OIDC_RS_LOG_INTERVAL", true, false, func(s *Settings) *time.Duration { return &s.LogInterval }),
}

// text is the row of a plain string field.
func text(field, name string, decisive bool, at func(*Settings) *string, aliases ...string) settingRow {
	return settingRow{field: field, name: name, aliases: aliases, decisive: decisive,
		read: func(s *Settings, v string) error { *at(s) = v; return nil },
		show: func(s *Settings) string { return *at(s) }}
}

// secret is the row of a string field printed as [REDACTED]. A secret
// changes no verdict.
func secret(field, name string, at func(*Settings) *string, aliases ...string) settingRow {
	r := text(field, name, false, at, aliases...)
	r.show = func(s *Settings) string { return redact(*at(s)) }
	return r
}

// list is the row of a list read with setting.List (commas, spaces or a
// Python list literal) and printed space separated.
func list(field, name string, decisive bool, at func(*Settings) *[]string) settingRow {
	return settingRow{field: field, name: name, decisive: decisive,
		read: func(s *Settings, v string) error { *at(s) = setting.List(v); return nil },
		show: func(s *Settings) string { return strings.Join(*at(s), " ") }}
}

// unordered fingerprints r's list sorted: the order of the scopes changes
// no verdict.
func unordered(r settingRow) settingRow {
	r.canon = func(s *Settings) string {
		v := strings.Fields(r.show(s))
		slices.Sort(v)
		return strings.Join(v, " ")
	}
	return r
}

// boolean is the row of a bool field.
func boolean(field, name string, decisive bool, at func(*Settings) *bool) settingRow {
	return settingRow{field: field, name: name, decisive: decisive,
		read: func(s *Settings, v string) (err error) { *at(s), err = parseBool(v); return err },
		show: func(s *Settings) string { return strconv.FormatBool(*at(s)) }}
}

// positiveInt is the row of an int field that must be positive.
func positiveInt(field, name string, at func(*Settings) *int) settingRow {
	return settingRow{field: field, name: name,
		read: func(s *Settings, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return fmt.Errorf("%q is not a positive integer", v)
			}
			*at(s) = n
			return nil
		},
		show: func(s *Settings) string { return strconv.Itoa(*at(s)) }}
}

// duration is the row of a duration field, read as a number of seconds.
func duration(field, name string, positive, decisive bool, at func(*Settings) *time.Duration) settingRow {
	return settingRow{field: field, name: name, decisive: decisive,
		read: func(s *Settings, v string) (err error) { *at(s), err = parseSeconds(v, positive); return err },
		show: func(s *Settings) string { return at(s).String() }}
}

const redacted = "[REDACTED]"

// redact prints a secret: [REDACTED], or "" when it is unset.
func redact(v string) string {
	if v == "" {
		return ""
	}
	return redacted
}

// redactURL prints a URL without its passwords: the one in its user
// information, and any query parameter whose name holds "password" (a
// Sentinel URL carries the master's there). An unparsable URL prints as a
// secret.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return redact(v)
	}
	if q := u.Query(); len(q) > 0 {
		hidden := false
		for name := range q {
			if strings.Contains(strings.ToLower(name), "password") {
				q.Set(name, "xxxxx")
				hidden = true
			}
		}
		if hidden {
			u.RawQuery = q.Encode()
		}
	}
	if u.User != nil {
		return u.Redacted()
	}
	return u.String()
}
