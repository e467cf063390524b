package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwksKey is a key as /jwks serves it, private members included so that
// a test sees them if they ever leak.
type jwksKey struct {
	Kty, Kid, Alg, Use, Crv string
	N, D, P, Q              string
}

func parseJWKS(t *testing.T, out string) []jwksKey {
	t.Helper()
	var set struct{ Keys []jwksKey }
	require.NoError(t, json.Unmarshal([]byte(out), &set), "jwks output: %s", out)
	for _, k := range set.Keys {
		assert.Empty(t, k.D+k.P+k.Q, "a private member is published")
		assert.NotEmpty(t, k.Kid)
		assert.Equal(t, "enc", k.Use)
	}
	return set.Keys
}

func keyEnv(pem, typ, alg string) map[string]string {
	return map[string]string{"OIDC_RS_PRIVATE_KEY_STR": pem, "OIDC_RS_ENCRYPTION_KEY_TYPE": typ, "OIDC_RS_ENCRYPTION_ALGO": alg}
}

// TestKeygenJWKS pipes keygen's output, as OIDC_RS_PRIVATE_KEY_STR, into
// jwks: the key loads, and only its public half is printed.
func TestKeygenJWKS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, typ, alg, crv string
		args                []string
	}{
		{"rsa 2048", "RSA", "RSA-OAEP", "", []string{"-bits", "2048"}},
		{"rsa default", "RSA", "RSA-OAEP-256", "", nil},
		{"ec default", "EC", "ECDH-ES", "P-256", []string{"-type", "EC"}},
		{"ec p-384", "EC", "ECDH-ES+A256KW", "P-384", []string{"-type", "ec", "-curve", "P-384"}},
		{"ec p-521", "EC", "ECDH-ES", "P-521", []string{"-type", "EC", "-curve", "P-521"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gen := oidcrs(t, nil, "", append([]string{"keygen"}, tc.args...)...)
			require.Equal(t, exitOK, gen.code, gen.stderr)
			pem := gen.stdout
			assert.True(t, strings.HasPrefix(pem, "-----BEGIN PRIVATE KEY-----\n"), pem)
			assert.Contains(t, gen.stderr, "OIDC_RS_ENCRYPTION_KEY_TYPE="+tc.typ)

			r := oidcrs(t, keyEnv(pem, tc.typ, tc.alg), "", "jwks")
			require.Equal(t, exitOK, r.code, r.stderr)
			keys := parseJWKS(t, r.stdout)
			require.Len(t, keys, 1)
			assert.Equal(t, tc.typ, keys[0].Kty)
			assert.Equal(t, tc.alg, keys[0].Alg)
			assert.Equal(t, tc.crv, keys[0].Crv)
			assert.Contains(t, gen.stderr, keys[0].Kid, "keygen names the kid /jwks publishes")
			assertNotEchoed(t, r, pem)

			// A .env file holds the key on one line, with literal \n.
			r = oidcrs(t, keyEnv(strings.ReplaceAll(pem, "\n", `\n`), tc.typ, tc.alg), "", "jwks")
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Equal(t, keys, parseJWKS(t, r.stdout))
		})
	}
}

// TestKeygenAppend builds the set of step 1 of a rotation: the old key
// first, still the one the AS encrypts to, the new one after it.
func TestKeygenAppend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "keys.pem")
	gen := oidcrs(t, nil, "", "keygen", "-type", "EC", "-curve", "P-384", "-out", file)
	require.Equal(t, exitOK, gen.code, gen.stderr)
	assert.Empty(t, gen.stdout, "with -out, nothing goes to stdout")
	old, err := os.ReadFile(file)
	require.NoError(t, err)
	oldKid := parseJWKS(t, oidcrs(t, keyEnv(string(old), "EC", "ECDH-ES"), "", "jwks").stdout)[0].Kid

	// In place, as the usage shows.
	r := oidcrs(t, nil, "", "keygen", "-append", file, "-out", file)
	require.Equal(t, exitOK, r.code, r.stderr)
	set, err := os.ReadFile(file)
	require.NoError(t, err)
	info, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "a private key file is for its owner only")
	assert.Equal(t, 2, strings.Count(string(set), "-----BEGIN PRIVATE KEY-----"))
	assert.True(t, strings.HasPrefix(string(set), strings.TrimSpace(string(old))), "the old key stays first")

	keys := parseJWKS(t, oidcrs(t, keyEnv(string(set), "EC", "ECDH-ES"), "", "jwks").stdout)
	require.Len(t, keys, 2)
	assert.Equal(t, oldKid, keys[0].Kid, "/jwks publishes the old key first")
	assert.Equal(t, "EC", keys[1].Kty, "the new key takes the set's type")
	assert.Equal(t, "P-256", keys[1].Crv, "and the default curve")
	assert.Contains(t, r.stderr, "kid "+keys[1].Kid)
	assert.Contains(t, r.stderr, "The set holds 2 keys, the new one last")

	// From stdin, printed to stdout: a third key after the two.
	r = oidcrs(t, nil, string(set), "keygen", "-append", "-")
	require.Equal(t, exitOK, r.code, r.stderr)
	three := parseJWKS(t, oidcrs(t, keyEnv(r.stdout, "EC", "ECDH-ES"), "", "jwks").stdout)
	require.Len(t, three, 3)
	assert.Equal(t, keys, three[:2])
}

func TestKeygenUsageErrors(t *testing.T) {
	t.Parallel()
	_, ecKey := testKeys(t)
	dir := t.TempDir()
	ecFile := filepath.Join(dir, "ec.pem")
	require.NoError(t, os.WriteFile(ecFile, []byte(ecKey), 0o600))
	bad := filepath.Join(dir, "bad.pem")
	require.NoError(t, os.WriteFile(bad, []byte("not a key"), 0o600))
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown type", []string{"-type", "DSA"}, "-type must be RSA or EC"},
		{"small RSA", []string{"-bits", "1024"}, "-bits must be 2048, 3072 or 4096"},
		{"unknown curve", []string{"-type", "EC", "-curve", "P-192"}, "-curve must be P-256, P-384 or P-521"},
		{"bits for EC", []string{"-type", "EC", "-bits", "2048"}, "-bits is for RSA keys"},
		{"curve for RSA", []string{"-curve", "P-256"}, "-curve for EC keys"},
		{"unknown flag", []string{"-size", "2048"}, "flag provided but not defined: -size"},
		{"argument", []string{"RSA"}, `unexpected argument "RSA"`},
		{"missing file", []string{"-append", filepath.Join(dir, "none.pem")}, "-append:"},
		{"not a key", []string{"-append", bad}, "OIDC_RS_PRIVATE_KEY_STR setting is wrong"},
		{"type against the set", []string{"-append", ecFile, "-type", "RSA"}, "an EC key where OIDC_RS_ENCRYPTION_KEY_TYPE is RSA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := oidcrs(t, nil, "", append([]string{"keygen"}, tc.args...)...)
			assert.Equal(t, exitUsage, r.code)
			assert.Contains(t, r.stderr, tc.stderr)
			assert.Empty(t, r.stdout, "no key is printed on an error")
			assertNotEchoed(t, r, ecKey)
		})
	}
}

// TestJWKSKeyErrors: a missing or wrong key is answered with the
// reference's message, the reason, exit 2, and never the key.
func TestJWKSKeyErrors(t *testing.T) {
	t.Parallel()
	rsaKey, ecKey := testKeys(t)
	for _, tc := range []struct {
		name    string
		env     map[string]string
		message string
		reason  string
	}{
		{"missing", nil, "OIDC_RS_PRIVATE_KEY_STR setting is missing or empty.", ""},
		{"blank", keyEnv("  ", "RSA", "RSA-OAEP"), "OIDC_RS_PRIVATE_KEY_STR setting is missing or empty.", ""},
		{"garbage", keyEnv("garbage", "RSA", "RSA-OAEP"), "Could not load key", "text outside PEM blocks"},
		{"wrong type", keyEnv(ecKey, "RSA", "RSA-OAEP"), "Could not load key", "an EC key where OIDC_RS_ENCRYPTION_KEY_TYPE is RSA"},
		{"wrong alg", keyEnv(rsaKey, "", "ECDH-ES"), "Could not load key", "does not fit OIDC_RS_ENCRYPTION_ALGO ECDH-ES"},
		{"no alg", keyEnv(rsaKey, "RSA", ""), "Could not load key", "OIDC_RS_ENCRYPTION_ALGO: is required"},
		{"truncated", keyEnv(rsaKey[:len(rsaKey)/2], "RSA", "RSA-OAEP"), "Could not load key", "OIDC_RS_PRIVATE_KEY_STR setting is wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := oidcrs(t, tc.env, "", "jwks")
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tc.message)
			assert.Contains(t, r.stderr, tc.reason)
			assertNotEchoed(t, r, rsaKey, ecKey)
		})
	}
}
