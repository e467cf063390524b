package pemkeys_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/pemkeys"
)

func pemOf(t *testing.T, typ string, der []byte, err error) string {
	t.Helper()
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestParse(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(ecKey)
	sec1, err2 := x509.MarshalECPrivateKey(ecKey)
	require.NoError(t, err2)
	ec8, ecSEC1 := pemOf(t, "PRIVATE KEY", pkcs8, err), pemOf(t, "EC PRIVATE KEY", sec1, nil)
	rsa1 := pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey), nil)
	other, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	otherDER, err := x509.MarshalPKCS8PrivateKey(other)
	ec384 := pemOf(t, "PRIVATE KEY", otherDER, err)

	keys, err := pemkeys.Parse(ec8+ec384, "ec")
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, "enc", keys[0].Use)
	assert.Len(t, keys[0].KeyID, 43, "a base64url SHA-256 thumbprint")
	assert.NotEqual(t, keys[0].KeyID, keys[1].KeyID)

	same, err := pemkeys.Parse(ecSEC1, "")
	require.NoError(t, err)
	assert.Equal(t, keys[0].KeyID, same[0].KeyID, "the kid depends on the key, not its encoding")

	_, err = pemkeys.Parse(rsa1, "RSA")
	require.NoError(t, err)

	for _, tc := range []struct {
		name, pem, keyType, err string
	}{
		{"empty", " \n", "", pemkeys.MsgMissing},
		{"not PEM", "not a key", "", "text outside PEM blocks"},
		{"parameters only", pemOf(t, "EC PARAMETERS", []byte{6, 8}, nil), "", "no PEM private key found"},
		{"text around", ec8 + "junk", "", "text outside PEM blocks"},
		{"wrong type", rsa1, "EC", "PEM block 1: an RSA key where OIDC_RS_ENCRYPTION_KEY_TYPE is EC"},
		{"mixed", ec8 + rsa1, "EC", "PEM block 2"},
		{"repeated", ec8 + ecSEC1, "", "PEM block 2 repeats an earlier key"},
		{"bad key type", ec8, "OKP", "must be RSA or EC"},
		{"encrypted", strings.Replace(ec8, "-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n", 1), "", "encrypted"},
		{"garbage DER", pemOf(t, "PRIVATE KEY", []byte("nope"), nil), "", "invalid PKCS#8 key"},
		{"certificate", pemOf(t, "CERTIFICATE", []byte("x"), nil), "", `unsupported PEM type "CERTIFICATE"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := pemkeys.Parse(tc.pem, tc.keyType)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			if tc.name != "empty" {
				assert.True(t, strings.HasPrefix(err.Error(), pemkeys.MsgWrong), err.Error())
			}
			for line := range strings.SplitSeq(tc.pem, "\n") {
				if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
					assert.NotContains(t, err.Error(), line, "no key material in errors")
				}
			}
		})
	}
}

func TestParseRefusesSmallRSA(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // the key the parser must refuse
	require.NoError(t, err)
	_, err = pemkeys.Parse(pemOf(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(small), nil), "")
	assert.ErrorContains(t, err, "RSA key of 1024 bits, at least 2048 required")
}
