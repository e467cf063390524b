package core_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btThumbprints recomputes, without go-jose, the RFC 7638 SHA-256
// thumbprint of each key of pemText, in order.
func btThumbprints(t *testing.T, pemText string) []string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	var out []string
	for rest := []byte(pemText); ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return out
		}
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		require.NoError(t, err)
		var canon string
		switch k := key.(type) {
		case *rsa.PrivateKey:
			e := big.NewInt(int64(k.E)).Bytes()
			canon = `{"e":"` + b64(e) + `","kty":"RSA","n":"` + b64(k.N.Bytes()) + `"}`
		case *ecdsa.PrivateKey:
			pt, err := k.PublicKey.Bytes() // 0x04 || X || Y
			require.NoError(t, err)
			n := (len(pt) - 1) / 2
			canon = `{"crv":"P-256","kty":"EC","x":"` + b64(pt[1:1+n]) + `","y":"` + b64(pt[1+n:]) + `"}`
		default:
			t.Fatalf("unexpected key %T", key)
		}
		sum := sha256.Sum256([]byte(canon))
		out = append(out, b64(sum[:]))
	}
}

// TestJWKSHandler checks the public key set the resource server serves.
func TestJWKSHandler(t *testing.T) {
	t.Parallel()
	rsaA, rsaB, ec := btKey(t, btRSAKeyA), btKey(t, btRSAKeyB), btKey(t, btECKey)
	private := []string{"d", "p", "q", "dp", "dq", "qi", "oth", "r", "t", "k"}
	for _, tc := range []struct {
		name, pem, keyType, alg string
	}{
		{"RSA RSA-OAEP", rsaA, "RSA", "RSA-OAEP"},
		{"RSA RSA-OAEP-256 no key type", rsaA, "", "RSA-OAEP-256"},
		{"EC ECDH-ES", ec, "EC", "ECDH-ES"},
		{"EC ECDH-ES+A256KW", ec, "EC", "ECDH-ES+A256KW"},
		{"rotation publishes both keys in order", rsaB + rsaA, "RSA", "RSA-OAEP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := core.NewJWKSHandler(core.Settings{PrivateKey: tc.pem, KeyType: tc.keyType, EncryptionAlgorithm: tc.alg})
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			resp, body := btGet(t, srv.URL)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.Contains(t, resp.Header.Get("Cache-Control"), "max-age=")
			var set struct {
				Keys []map[string]any `json:"keys"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &set))
			want := btThumbprints(t, tc.pem)
			require.Len(t, set.Keys, len(want))
			for i, k := range set.Keys {
				assert.Equal(t, "enc", k["use"])
				assert.Equal(t, tc.alg, k["alg"])
				assert.Equal(t, want[i], k["kid"], "kid %d is the RFC 7638 thumbprint", i)
				for _, m := range private {
					assert.NotContains(t, k, m, "private member %q published", m)
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
			assert.Equal(t, body, rec.Body.String(), "the handler answers the same bytes every time")
		})
	}
}

// TestJWKSHandlerErrors checks the reference's 500 answers and the
// refused methods.
func TestJWKSHandlerErrors(t *testing.T) {
	t.Parallel()
	rsaA, ec := btKey(t, btRSAKeyA), btKey(t, btECKey)
	for _, tc := range []struct {
		name   string
		st     core.Settings
		method string
		status int
		body   map[string]string
	}{
		{name: "key missing", st: core.Settings{EncryptionAlgorithm: "RSA-OAEP"}, method: http.MethodGet,
			status: http.StatusInternalServerError, body: map[string]string{"error": core.MsgKeyMissing}},
		{name: "key garbage", st: core.Settings{PrivateKey: "not a key", EncryptionAlgorithm: "RSA-OAEP"}, method: http.MethodGet,
			status: http.StatusInternalServerError, body: map[string]string{"error": core.MsgKeyLoad}},
		{name: "key type mismatch", st: core.Settings{PrivateKey: ec, KeyType: "RSA", EncryptionAlgorithm: "RSA-OAEP"}, method: http.MethodGet,
			status: http.StatusInternalServerError, body: map[string]string{"error": core.MsgKeyLoad}},
		{name: "algorithm does not fit the key", st: core.Settings{PrivateKey: rsaA, EncryptionAlgorithm: "ECDH-ES"}, method: http.MethodGet,
			status: http.StatusInternalServerError, body: map[string]string{"error": core.MsgKeyLoad}},
		{name: "algorithm missing", st: core.Settings{PrivateKey: rsaA}, method: http.MethodGet,
			status: http.StatusInternalServerError, body: map[string]string{"error": core.MsgKeyLoad}},
		{name: "POST refused", st: core.Settings{PrivateKey: rsaA, EncryptionAlgorithm: "RSA-OAEP"}, method: http.MethodPost,
			status: http.StatusMethodNotAllowed},
		{name: "DELETE refused", st: core.Settings{PrivateKey: rsaA, EncryptionAlgorithm: "RSA-OAEP"}, method: http.MethodDelete,
			status: http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(core.NewJWKSHandler(tc.st))
			t.Cleanup(srv.Close)
			req, err := http.NewRequest(tc.method, srv.URL, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tc.status, resp.StatusCode)
			if tc.body == nil {
				assert.Equal(t, "GET, HEAD", resp.Header.Get("Allow"))
				return
			}
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var got map[string]string
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
			assert.Equal(t, tc.body, got)
		})
	}
}

// TestResourceServerJWKS checks the handler a ResourceServer serves, and
// that the kit, fetching it, encrypts answers the server can open.
func TestResourceServerJWKS(t *testing.T) {
	t.Parallel()
	t.Run("without key", func(t *testing.T) {
		t.Parallel()
		rs := btRS(t, btAS(t, oidcrstest.JSON), nil)
		rec := httptest.NewRecorder()
		rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
		assert.Equal(t, http.StatusInternalServerError, rec.Code)
		assert.JSONEq(t, `{"error": "OIDC_RS_PRIVATE_KEY_STR setting is missing or empty."}`, rec.Body.String())
	})
	t.Run("kit fetches the first of two keys", func(t *testing.T) {
		t.Parallel()
		keys := btKey(t, btRSAKeyB) + btKey(t, btRSAKeyA)
		rsSrv := httptest.NewServer(nil)
		t.Cleanup(rsSrv.Close)
		as := btAS(t, oidcrstest.JWT, func(c *oidcrstest.Config) { c.RSKey, c.RSJWKSURL = nil, rsSrv.URL+"/jwks" })
		rs := btRS(t, as, func(s *core.Settings) { s.PrivateKey = keys })
		rsSrv.Config.Handler = rs.JWKSHandler()
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/jwks", nil))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Empty(t, rec.Body.String())
	})
}

// TestAuthorizationServerJWKS checks how the JWT backend fetches and
// caches the authorization server's signing keys.
func TestAuthorizationServerJWKS(t *testing.T) {
	t.Parallel()
	// A frozen clock makes the refresh interval deterministic; the leeway
	// absorbs the difference with the kit's real iat.
	setup := func(t *testing.T) (*oidcrstest.Server, *core.ResourceServer, *btClock) {
		as := btAS(t, oidcrstest.JWT)
		clock := newBTClock()
		rs := btRS(t, as, func(s *core.Settings) { s.Leeway = time.Minute }, core.WithClock(clock.Now))
		return as, rs, clock
	}
	t.Run("fetched once then reused", func(t *testing.T) {
		t.Parallel()
		as, rs, _ := setup(t)
		for range 3 {
			_, err := btAuth(rs, as.Mint(nil))
			require.NoError(t, err)
		}
		assert.EqualValues(t, 3, as.IntrospectionCalls())
		assert.EqualValues(t, 1, as.JWKSCalls())
	})
	t.Run("unknown kid refreshes", func(t *testing.T) {
		t.Parallel()
		as, rs, clock := setup(t)
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		require.NoError(t, as.RotateSigningKey())
		clock.Advance(6 * time.Second)
		_, err = btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		assert.EqualValues(t, 2, as.JWKSCalls())
	})
	t.Run("unknown kid does not refetch within the refresh interval", func(t *testing.T) {
		t.Parallel()
		as, rs, _ := setup(t)
		_, err := btAuth(rs, as.Mint(nil))
		require.NoError(t, err)
		require.NoError(t, as.RotateSigningKey())
		_, err = btAuth(rs, as.Mint(nil))
		resp := btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescJWKSFailed)
		assert.Equal(t, "5", resp.RetryAfter, "the answer can be verified after the next refresh")
		assert.EqualValues(t, 1, as.JWKSCalls())
	})
	for _, tc := range []struct {
		name   string
		fault  oidcrstest.Fault
		kind   error
		status int
	}{
		{"JWKS 500", oidcrstest.FaultServerError, core.ErrUnavailable, http.StatusServiceUnavailable},
		{"JWKS down", oidcrstest.FaultDown, core.ErrUnavailable, http.StatusServiceUnavailable},
		{"JWKS 429", oidcrstest.FaultTooManyRequests, core.ErrUnavailable, http.StatusServiceUnavailable},
		{"JWKS garbage", oidcrstest.FaultGarbage, core.ErrBadResponse, http.StatusBadGateway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as, rs, clock := setup(t)
			as.SetJWKSFault(&tc.fault)
			_, err := btAuth(rs, as.Mint(nil))
			btRejected(t, rs, err, tc.kind, tc.status, core.DescJWKSFailed)
			btNotInvalidToken(t, err)
			// Recovery once the authorization server is back: past the
			// 5 s between refreshes and the 429's Retry-After: 7.
			as.SetJWKSFault(nil)
			clock.Advance(8 * time.Second)
			_, err = btAuth(rs, as.Mint(nil))
			require.NoError(t, err)
		})
	}
	t.Run("JWKS error body is never echoed", func(t *testing.T) {
		t.Parallel()
		as, rs, _ := setup(t)
		as.SetJWKSFault(&oidcrstest.Fault{Status: http.StatusInternalServerError, Body: []byte("internal-detail-xyz")})
		_, err := btAuth(rs, as.Mint(nil))
		require.Error(t, err)
		assert.False(t, strings.Contains(string(rs.ErrorResponse(err).JSON()), "internal-detail-xyz"))
	})
}
