package core

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
)

const redacted = "[REDACTED]"

// String prints the settings with the client secret and private key
// redacted.
func (s Settings) String() string {
	r := s.redacted()
	type plain Settings // drop the String method to avoid recursion
	return fmt.Sprintf("%+v", plain(r))
}

// GoString redacts like String for the %#v verb, which does not call
// String and would otherwise print the secret and the key.
func (s Settings) GoString() string { return s.String() }

// LogValue implements slog.LogValuer, redacting the client secret and the
// private key.
func (s Settings) LogValue() slog.Value {
	r := s.redacted()
	return slog.GroupValue(
		slog.String("backend", string(r.Backend)),
		slog.String("client_id", r.ClientID),
		slog.String("client_secret", r.ClientSecret),
		slog.String("issuer", r.Issuer),
		slog.String("introspection_endpoint", r.IntrospectionEndpoint),
		slog.String("jwks_endpoint", r.JWKSEndpoint),
		slog.String("audience_claim", r.AudienceClaim),
		slog.String("scopes", strings.Join(r.Scopes, " ")),
		slog.String("signing_algo", r.SigningAlgorithm),
		slog.String("encryption_algo", r.EncryptionAlgorithm),
		slog.String("encryption_encoding", r.EncryptionEncoding),
		slog.String("private_key", r.PrivateKey),
		slog.String("key_type", r.KeyType),
		slog.Bool("insecure_skip_verify", r.InsecureSkipVerify),
		slog.Duration("timeout", r.Timeout),
		slog.String("proxy", r.Proxy),
		slog.String("client_auth", string(r.ClientAuth)),
	)
}

func (s Settings) redacted() Settings {
	if s.ClientSecret != "" {
		s.ClientSecret = redacted
	}
	if s.PrivateKey != "" {
		s.PrivateKey = redacted
	}
	if s.Proxy != "" {
		if u, err := url.Parse(s.Proxy); err == nil && u.User != nil {
			s.Proxy = u.Redacted()
		} else if err != nil {
			s.Proxy = redacted
		}
	}
	s.Scopes = slices.Clone(s.Scopes)
	return s
}
