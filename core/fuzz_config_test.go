package core_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Fuzz targets for configuration input: PEM keys and settings.

var base64Line = regexp.MustCompile(`^[A-Za-z0-9+/=]{16,}$`)

// quoted matches the %q-quoted parts of an error: the PEM type label and
// the key type, which are not secret.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// requireNoKeyMaterial fails if msg, quoted parts aside, contains a PEM
// body line of pemText.
func requireNoKeyMaterial(t *testing.T, msg, pemText string) {
	msg = quoted.ReplaceAllString(msg, `""`)
	for _, line := range strings.Split(pemText, "\n") {
		if line = strings.TrimSpace(line); base64Line.MatchString(line) {
			require.NotContains(t, msg, line, "an error echoes key material")
		}
	}
}

// FuzzParsePrivateKeys imports fuzzed PEM text, seeded with real keys in
// every supported encoding: it never panics, returns usable private keys
// or an error that carries none of the input's key material.
func FuzzParsePrivateKeys(f *testing.F) {
	ecPEM, err := oidcrstest.GenerateECKeyPEM()
	require.NoError(f, err)
	rsaPEM := testKeys().rsPEM
	rsaKey, _ := pem.Decode([]byte(rsaPEM))
	ecKey, _ := pem.Decode([]byte(ecPEM))
	k8, err := x509.ParsePKCS8PrivateKey(rsaKey.Bytes)
	require.NoError(f, err)
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k8.(*rsa.PrivateKey))}))
	e8, err := x509.ParsePKCS8PrivateKey(ecKey.Bytes)
	require.NoError(f, err)
	sec1DER, err := x509.MarshalECPrivateKey(e8.(*ecdsa.PrivateKey))
	require.NoError(f, err)
	sec1 := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1DER}))
	params := "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
	encrypted := strings.Replace(pkcs1, "\n", "\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n", 1)
	for _, s := range []struct{ pem, kt string }{{rsaPEM, "RSA"}, {ecPEM, "EC"}, {pkcs1, ""}, {sec1, "ec"}, {params + sec1, "EC"},
		{rsaPEM + ecPEM, ""}, {rsaPEM + rsaPEM, "RSA"}, {rsaPEM, "EC"}, {encrypted, "RSA"}, {rsaPEM[:len(rsaPEM)/2], "RSA"},
		{strings.Replace(rsaPEM, "PRIVATE KEY", "PUBLIC KEY", 2), "RSA"}, {rsaPEM + "trailing", "RSA"}, {"", ""}, {"garbage", "DSA"}} {
		f.Add(s.pem, s.kt)
	}
	f.Fuzz(func(t *testing.T, pemText, keyType string) {
		keys, err := core.ParsePrivateKeys(pemText, keyType)
		if err != nil {
			require.Empty(t, keys)
			msg := err.Error()
			require.True(t, strings.HasPrefix(msg, core.MsgKeyMissing) || strings.HasPrefix(msg, core.MsgKeyWrong), "message %q", msg)
			requireNoKeyMaterial(t, msg, pemText)
			return
		}
		require.NotEmpty(t, keys)
		for _, k := range keys {
			require.True(t, k.Valid())
			require.False(t, k.IsPublic())
			require.NotEmpty(t, k.KeyID)
		}
	})
}

// FuzzSettingsFromEnv reads fuzzed values of the variables with parsing
// rules: it never panics, Validate never panics, the secret and key never
// appear in errors or printed settings, and settings that validate build a
// resource server.
func FuzzSettingsFromEnv(f *testing.F) {
	const secret = "fuzz-client-secret-8d1f0a9c2e"
	names := []string{"OIDC_RS_BACKEND_CLASS", "OIDC_RS_SCOPES", "OIDC_TIMEOUT", "OIDC_RS_LEEWAY", "OIDC_RS_CACHE_TTL",
		"OIDC_RS_CACHE_SIZE", "OIDC_VERIFY_SSL", "OIDC_OP_URL", "OIDC_PROXY", "OIDC_RS_PRIVATE_KEY_STR",
		"OIDC_RS_ENCRYPTION_KEY_TYPE", "OIDC_RS_ENCRYPTION_ALGO", "OIDC_RS_SIGNING_ALGO", "OIDC_RS_REALM"}
	escaped := strings.ReplaceAll(testKeys().rsPEM, "\n", `\n`)
	f.Add(core.DjangoJWTBackendClass, `["groups", "email"]`, "5", "0", "0", "100", "false", "https://auth.example/api/v2",
		"http://user:pw@proxy:3128", escaped, "RSA", "RSA-OAEP", "RS256", "api")
	f.Add("json", "groups,email", "0.5", "2", "60", "1", "1", "http://as", "", "", "", "", "", "")
	f.Add("jwt", "", "-1", "NaN", "1e9", "x", "maybe", "ftp://x", "::", "not a key", "DSA", "RSA1_5", "none", "a\"b")
	f.Fuzz(func(t *testing.T, backend, scopes, timeout, leeway, ttl, size, verify, issuer, proxy, key, keyType, alg, sig, realm string) {
		vals := []string{backend, scopes, timeout, leeway, ttl, size, verify, issuer, proxy, key, keyType, alg, sig, realm}
		env := map[string]string{"OIDC_RS_CLIENT_ID": "rs", "OIDC_RS_CLIENT_SECRET": secret, "OIDC_RS_ENCRYPTION_ENCODING": "A256GCM",
			"OIDC_OP_INTROSPECTION_ENDPOINT": "https://as.example/introspect", "OIDC_OP_JWKS_ENDPOINT": "https://as.example/jwks"}
		for i, n := range names {
			env[n] = vals[i]
			if strings.Contains(vals[i], secret) {
				t.Skip("the input holds the secret itself")
			}
		}
		s, err := core.SettingsFromEnv(func(n string) (string, bool) { v, ok := env[n]; return v, ok })
		verr := s.Validate()
		pemText := strings.ReplaceAll(key, `\n`, "\n")
		for _, text := range []string{errString(err), errString(verr), s.String(), slogValue(s)} {
			require.NotContains(t, text, secret)
			requireNoKeyMaterial(t, text, pemText)
		}
		if err == nil && verr == nil {
			rs, err := core.New(s)
			require.NoError(t, err, "settings that validate must build")
			require.NotNil(t, rs)
			require.GreaterOrEqual(t, s.Timeout, time.Duration(0))
			require.GreaterOrEqual(t, s.Leeway, time.Duration(0))
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func slogValue(s core.Settings) string { return s.LogValue().Resolve().String() }
