package core_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btPEM encodes der as one PEM block of type typ.
func btPEM(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// TestParsePrivateKeys covers the formats, types and refusals of
// OIDC_RS_PRIVATE_KEY_STR.
func TestParsePrivateKeys(t *testing.T) {
	t.Parallel()
	rsaPKCS8, ecPKCS8 := btKey(t, btRSAKeyA), btKey(t, btECKey)
	block, _ := pem.Decode([]byte(rsaPKCS8))
	rsaKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	block, _ = pem.Decode([]byte(ecPKCS8))
	ecKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	require.NoError(t, err)
	sec1, err := x509.MarshalECPrivateKey(ecKey.(*ecdsa.PrivateKey))
	require.NoError(t, err)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	p224DER, err := x509.MarshalECPrivateKey(p224)
	require.NoError(t, err)
	pkcs1 := btPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey.(*rsa.PrivateKey)))
	encrypted := strings.Replace(pkcs1, "-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n", 1)

	for _, tc := range []struct {
		name, pem, keyType string
		n                  int    // keys expected; 0 means an error
		err                string // exact error, or prefix with wrong
	}{
		{name: "PKCS#8 RSA", pem: rsaPKCS8, keyType: "RSA", n: 1},
		{name: "PKCS#1 RSA", pem: pkcs1, keyType: "RSA", n: 1},
		{name: "PKCS#8 EC", pem: ecPKCS8, keyType: "EC", n: 1},
		{name: "SEC1 EC", pem: btPEM("EC PRIVATE KEY", sec1), keyType: "EC", n: 1},
		{name: "SEC1 EC with EC PARAMETERS block", pem: btPEM("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}) + btPEM("EC PRIVATE KEY", sec1), keyType: "EC", n: 1},
		{name: "key type lowercase", pem: rsaPKCS8, keyType: "rsa", n: 1},
		{name: "no key type accepts either", pem: ecPKCS8, n: 1},
		{name: "two keys", pem: rsaPKCS8 + ecPKCS8, n: 2},
		{name: "missing", pem: "", err: core.MsgKeyMissing},
		{name: "blank", pem: " \n\t", err: core.MsgKeyMissing},
		{name: "RSA key where EC expected", pem: rsaPKCS8, keyType: "EC", err: core.MsgKeyWrong},
		{name: "EC key where RSA expected", pem: ecPKCS8, keyType: "RSA", err: core.MsgKeyWrong},
		{name: "unknown key type", pem: rsaPKCS8, keyType: "DSA", err: core.MsgKeyWrong},
		{name: "RSA under 2048 bits", pem: btPEM("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small)), err: core.MsgKeyWrong},
		{name: "EC curve P-224", pem: btPEM("EC PRIVATE KEY", p224DER), err: core.MsgKeyWrong},
		{name: "garbage", pem: "this is not a key", err: core.MsgKeyWrong},
		{name: "corrupt PKCS#8", pem: btPEM("PRIVATE KEY", []byte("corrupt der bytes")), err: core.MsgKeyWrong},
		{name: "corrupt PKCS#1", pem: btPEM("RSA PRIVATE KEY", []byte("corrupt der bytes")), err: core.MsgKeyWrong},
		{name: "public key only", pem: btPEM("PUBLIC KEY", []byte("x")), err: core.MsgKeyWrong},
		{name: "encrypted PEM", pem: encrypted, err: core.MsgKeyWrong},
		{name: "text after the key", pem: rsaPKCS8 + "trailing", err: core.MsgKeyWrong},
		{name: "same key twice", pem: rsaPKCS8 + rsaPKCS8, err: core.MsgKeyWrong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			keys, err := core.ParsePrivateKeys(tc.pem, tc.keyType)
			if tc.n > 0 {
				require.NoError(t, err)
				require.Len(t, keys, tc.n)
				for _, k := range keys {
					assert.Equal(t, "enc", k.Use)
					assert.NotEmpty(t, k.KeyID)
					assert.False(t, k.IsPublic())
				}
				return
			}
			require.Error(t, err)
			if tc.err == core.MsgKeyMissing {
				assert.EqualError(t, err, core.MsgKeyMissing)
			}
			assert.True(t, strings.HasPrefix(err.Error(), tc.err), "error %q starts with %q", err, tc.err)
			for _, m := range append(btKeyMaterial(tc.pem), btKeyMaterial(rsaPKCS8)...) {
				assert.NotContains(t, err.Error(), m, "the error quotes key material")
			}
		})
	}
}

// TestKeySettings checks that New refuses unusable key settings, naming
// the setting and never quoting the key.
func TestKeySettings(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JWT)
	rsaA, ec := btKey(t, btRSAKeyA), btKey(t, btECKey)
	for _, tc := range []struct {
		name    string
		edit    func(*core.Settings)
		setting string
	}{
		{"RSA1_5 refused", func(s *core.Settings) { s.EncryptionAlgorithm = "RSA1_5" }, "OIDC_RS_ENCRYPTION_ALGO"},
		{"EC algorithm with RSA key type", func(s *core.Settings) { s.KeyType = "RSA"; s.EncryptionAlgorithm = "ECDH-ES" }, "OIDC_RS_ENCRYPTION_ALGO"},
		{"RSA algorithm with an EC key", func(s *core.Settings) { s.PrivateKey = ec }, "OIDC_RS_PRIVATE_KEY_STR"},
		{"EC key type with an RSA key", func(s *core.Settings) { s.KeyType = "EC"; s.EncryptionAlgorithm = "ECDH-ES" }, "OIDC_RS_PRIVATE_KEY_STR"},
		{"garbage key", func(s *core.Settings) {
			s.PrivateKey = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		}, "OIDC_RS_PRIVATE_KEY_STR"},
		{"key missing", func(s *core.Settings) { s.PrivateKey = "" }, "OIDC_RS_PRIVATE_KEY_STR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := btSettings(t, as)
			tc.edit(&st)
			rs, err := core.New(st)
			require.Error(t, err)
			require.Nil(t, rs)
			assert.Contains(t, err.Error(), tc.setting)
			for _, m := range append(btKeyMaterial(rsaA), btKeyMaterial(ec)...) {
				assert.NotContains(t, err.Error(), m)
			}
		})
	}
}

// TestDecryptionKeyChoice checks rotation: with two keys the JWE kid
// picks the key, and without a kid each key is tried.
func TestDecryptionKeyChoice(t *testing.T) {
	t.Parallel()
	keyA, keyB := btKey(t, btRSAKeyA), btKey(t, btRSAKeyB)
	pubA, pubB := btPublicJWK(t, keyA, jose.RSA_OAEP), btPublicJWK(t, keyB, jose.RSA_OAEP)
	for _, tc := range []struct {
		name string
		pem  string // the resource server's keys
		to   string // the key the answer is encrypted to
		kid  string
		ok   bool
	}{
		{"kid of the first key", keyA + keyB, keyA, pubA.KeyID, true},
		{"kid of the second key", keyA + keyB, keyB, pubB.KeyID, true},
		{"no kid, first key", keyA + keyB, keyA, "", true},
		{"no kid, second key", keyA + keyB, keyB, "", true},
		{"no kid, key of nobody", keyA, keyB, "", false},
		{"kid of the first key, encrypted to the second", keyA + keyB, keyB, pubA.KeyID, false},
		{"unknown kid", keyA + keyB, keyA, "unknown-kid", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JWT)
			p := btJWT{t: t, as: as}
			body := p.encryptTo(p.sign(p.outer(nil), nil), tc.to, tc.kid, jose.RSA_OAEP, jose.A256GCM, nil, false)
			btAnswer(as, http.StatusOK, "application/token-introspection+jwt", []byte(body))
			rs := btRS(t, as, func(s *core.Settings) { s.PrivateKey = tc.pem })
			ti, err := btAuth(rs, as.Mint(nil))
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
				return
			}
			btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescDecryptionFailed)
		})
	}
}
