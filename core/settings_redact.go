package core

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

const redacted = "[REDACTED]"

// settingField is one printed setting: its environment variable name and
// its value, already redacted.
type settingField struct{ name, value string }

// fields lists every setting, redacted, in one place, so that String,
// GoString, Format and LogValue print the same fields.
func (s Settings) fields() []settingField {
	secret := func(v string) string {
		if v == "" {
			return ""
		}
		return redacted
	}
	redactURL := func(v string) string {
		if u, err := url.Parse(v); err != nil {
			return secret(v)
		} else if u.User != nil {
			return u.Redacted()
		}
		return v
	}
	secrets := ""
	if len(s.CacheSecrets) > 0 {
		secrets = strings.TrimSuffix(strings.Repeat(redacted+",", len(s.CacheSecrets)), ",")
	}
	d := func(v any) string { return fmt.Sprint(v) }
	return []settingField{
		{"OIDC_RS_BACKEND_CLASS", string(s.Backend)},
		{"OIDC_RS_CLIENT_ID", s.ClientID},
		{"OIDC_RS_CLIENT_SECRET", secret(s.ClientSecret)},
		{"OIDC_OP_URL", s.Issuer},
		{"OIDC_OP_INTROSPECTION_ENDPOINT", s.IntrospectionEndpoint},
		{"OIDC_OP_JWKS_ENDPOINT", s.JWKSEndpoint},
		{"OIDC_RS_RESOURCE", s.Resource},
		{"OIDC_RS_LOCAL_JWT", strconv.FormatBool(s.LocalJWT)},
		{"OIDC_RS_AUTHORIZATION_SERVERS", strings.Join(s.AuthorizationServers, " ")},
		{"OIDC_RS_RESOURCE_NAME", s.ResourceName},
		{"OIDC_RS_RESOURCE_DOCUMENTATION", s.ResourceDocumentation},
		{"OIDC_RS_AUDIENCE_CLAIM", s.AudienceClaim},
		{"OIDC_RS_SCOPES", strings.Join(s.Scopes, " ")},
		{"OIDC_RS_SIGNING_ALGO", s.SigningAlgorithm},
		{"OIDC_RS_ENCRYPTION_ALGO", s.EncryptionAlgorithm},
		{"OIDC_RS_ENCRYPTION_ENCODING", s.EncryptionEncoding},
		{"OIDC_RS_PRIVATE_KEY_STR", secret(s.PrivateKey)},
		{"OIDC_RS_ENCRYPTION_KEY_TYPE", s.KeyType},
		{"OIDC_VERIFY_SSL", strconv.FormatBool(!s.InsecureSkipVerify)},
		{"OIDC_TIMEOUT", d(s.Timeout)},
		{"OIDC_PROXY", redactURL(s.Proxy)},
		{"OIDC_RS_CLIENT_AUTH_METHOD", string(s.ClientAuth)},
		{"OIDC_RS_LEEWAY", d(s.Leeway)},
		{"OIDC_RS_JWT_MAX_AGE", d(s.JWTMaxAge)},
		{"OIDC_RS_REALM", s.Realm},
		{"OIDC_RS_CACHE_TTL", d(s.CacheTTL)},
		{"cache_disabled", strconv.FormatBool(s.DisableCache)},
		{"OIDC_RS_CACHE_NEGATIVE_TTL", d(s.CacheNegativeTTL)},
		{"negative_cache_disabled", strconv.FormatBool(s.DisableNegativeCache)},
		{"OIDC_RS_CACHE_SIZE", strconv.Itoa(s.CacheSize)},
		{"OIDC_RS_CACHE_URL", redactURL(s.CacheURL)},
		{"OIDC_RS_CACHE_SECRET", secrets},
		{"OIDC_RS_CACHE_TIMEOUT", d(s.CacheTimeout)},
		{"OIDC_RS_LOG_INTERVAL", d(s.LogInterval)},
	}
}

// String prints every setting, the client secret and the private key
// redacted, as {NAME=value ...} with the environment variable names.
func (s Settings) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range s.fields() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(f.value))
	}
	b.WriteByte('}')
	return b.String()
}

// GoString redacts like String, for the %#v verb.
func (s Settings) GoString() string { return "core.Settings" + s.String() }

// Format redacts for every fmt verb: %#v prints GoString, any other verb
// String. Without it, verbs such as %d would print the fields, secret
// included, through reflection.
func (s Settings) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String(), s.GoString()) }

// LogValue implements slog.LogValuer with the fields String prints.
func (s Settings) LogValue() slog.Value {
	fs := s.fields()
	attrs := make([]slog.Attr, len(fs))
	for i, f := range fs {
		attrs[i] = slog.String(f.name, f.value)
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON writes the fields String prints, redacted, as a JSON object,
// so that encoding/json (and slog's JSON handler, for Settings inside
// another struct) never writes the secret or the key.
func (s Settings) MarshalJSON() ([]byte, error) {
	fs := s.fields()
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		m[f.name] = f.value
	}
	return json.Marshal(m)
}

// String prints the resource server's settings, redacted.
func (rs *ResourceServer) String() string {
	if rs == nil {
		return "core.ResourceServer(nil)"
	}
	return "core.ResourceServer" + rs.settings.String()
}

// GoString redacts like String, for the %#v verb.
func (rs *ResourceServer) GoString() string { return rs.String() }

// Format redacts for every fmt verb, so that no verb prints the client
// secret, the private keys or the keys' numbers through reflection.
func (rs *ResourceServer) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, rs.String(), rs.GoString())
}

// LogValue implements slog.LogValuer: the settings, redacted.
func (rs *ResourceServer) LogValue() slog.Value {
	if rs == nil {
		return slog.StringValue("nil")
	}
	return rs.settings.LogValue()
}

func formatRedacted(f fmt.State, verb rune, s, gos string) {
	if verb == 'v' && f.Flag('#') {
		s = gos
	}
	_, _ = f.Write([]byte(s))
}
