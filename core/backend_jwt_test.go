package core_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btJWT builds RFC 9701 answers piece by piece, with real keys.
type btJWT struct {
	t  *testing.T
	as *oidcrstest.Server
}

// inner is a good introspection answer.
func (p btJWT) inner() map[string]any {
	return map[string]any{"active": true, "iss": p.as.URL, "client_id": oidcrstest.DefaultSPClientID,
		"sub": oidcrstest.DefaultSubject, "scope": oidcrstest.DefaultScope, "exp": time.Now().Add(time.Hour).Unix()}
}

// outer is the signed claims around inner; edits are overlaid, nil removes.
func (p btJWT) outer(edits map[string]any) []byte {
	m := map[string]any{"iss": p.as.URL, "aud": oidcrstest.DefaultClientID, "iat": time.Now().Unix(), "token_introspection": p.inner()}
	for k, v := range edits {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	require.NoError(p.t, err)
	return b
}

// sign signs payload with the kit's current key and typ, plus extra.
func (p btJWT) sign(payload []byte, extra map[jose.HeaderKey]any) string {
	s, err := p.as.Sign(payload, extra)
	require.NoError(p.t, err)
	return s
}

// signWith signs payload with key and alg, with the given headers only.
func (p btJWT) signWith(alg jose.SignatureAlgorithm, key any, payload []byte, hdr map[jose.HeaderKey]any) string {
	opts := &jose.SignerOptions{}
	for k, v := range hdr {
		opts.WithHeader(k, v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(p.t, err)
	obj, err := signer.Sign(payload)
	require.NoError(p.t, err)
	s, err := obj.CompactSerialize()
	require.NoError(p.t, err)
	return s
}

// encrypt encrypts plaintext with the kit's building block: to key A with
// its kid and iss and aud headers, plus extra.
func (p btJWT) encrypt(plaintext string, extra map[jose.HeaderKey]any) string {
	s, err := p.as.Encrypt([]byte(plaintext), extra)
	require.NoError(p.t, err)
	return s
}

// encryptTo encrypts with go-jose directly: to the public half of pemKey,
// with kid (none when ""), alg, enc and exactly the headers hdr.
func (p btJWT) encryptTo(plaintext, pemKey, kid string, alg jose.KeyAlgorithm, enc jose.ContentEncryption, hdr map[jose.HeaderKey]any, zip bool) string {
	opts := (&jose.EncrypterOptions{}).WithContentType("JWT")
	for k, v := range hdr {
		opts.WithHeader(k, v)
	}
	if zip {
		opts.Compression = jose.DEFLATE
	}
	e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: btPublicJWK(p.t, pemKey, alg).Key, KeyID: kid}, opts)
	require.NoError(p.t, err)
	obj, err := e.Encrypt([]byte(plaintext))
	require.NoError(p.t, err)
	s, err := obj.CompactSerialize()
	require.NoError(p.t, err)
	return s
}

// TestJWTBackend sends crafted RFC 9701 answers to the JWT backend.
func TestJWTBackend(t *testing.T) {
	t.Parallel()
	const ctypeJWT = "application/token-introspection+jwt"
	keyA, keyB := btKey(t, btRSAKeyA), btKey(t, btRSAKeyB)
	kidA, kidB := btPublicJWK(t, keyA, jose.RSA_OAEP).KeyID, btPublicJWK(t, keyB, jose.RSA_OAEP).KeyID
	rogue, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	noneJWS := func(payload []byte) string {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"alg":"none","typ":"token-introspection+jwt"}`)) + "." + enc(payload) + "."
	}
	typ := map[jose.HeaderKey]any{"typ": "token-introspection+jwt"}
	for _, tc := range []struct {
		name  string
		ctype string
		body  func(p btJWT) string
		kind  error // nil: accepted
		desc  string
	}{
		{name: "JWE header iss and aud tolerated", body: func(p btJWT) string { return p.encrypt(p.sign(p.outer(nil), nil), nil) }},
		{name: "JWE without kid, iss or aud", body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyA, "", jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "JWE header iss mismatch", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encrypt(p.sign(p.outer(nil), nil), map[jose.HeaderKey]any{"iss": "https://evil.example"})
		}},
		{name: "JWE header aud mismatch", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encrypt(p.sign(p.outer(nil), nil), map[jose.HeaderKey]any{"aud": "someone-else"})
		}},
		{name: "JWE alg RSA-OAEP-256 refused", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyA, kidA, jose.RSA_OAEP_256, jose.A256GCM, nil, false)
		}},
		{name: "JWE enc A128GCM refused", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyA, kidA, jose.RSA_OAEP, jose.A128GCM, nil, false)
		}},
		{name: "JWE for another key with its kid", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyB, kidB, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "JWE for another key without kid", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyB, "", jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "JWE with our kid for another key", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyB, kidA, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "JWE zip refused", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(nil), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM, nil, true)
		}},
		{name: "JWS only, not encrypted", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed,
			body: func(p btJWT) string { return p.sign(p.outer(nil), nil) }},
		{name: "plain JSON body", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed,
			body: func(p btJWT) string { return string(p.outer(nil)) }},
		{name: "content type application/json refused", ctype: "application/json", kind: core.ErrBadResponse, desc: core.DescDecryptionFailed,
			body: func(p btJWT) string { return p.encrypt(p.sign(p.outer(nil), nil), nil) }},
		{name: "content type application/jwt accepted", ctype: "application/jwt",
			body: func(p btJWT) string { return p.encrypt(p.sign(p.outer(nil), nil), nil) }},
		{name: "JWS alg ES384 refused", kind: core.ErrBadResponse, desc: core.DescDecodingFailed, body: func(p btJWT) string {
			k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
			require.NoError(p.t, err)
			return p.encrypt(p.signWith(jose.ES384, k, p.outer(nil), typ), nil)
		}},
		{name: "JWS alg none refused", kind: core.ErrBadResponse, desc: core.DescDecodingFailed,
			body: func(p btJWT) string { return p.encrypt(noneJWS(p.outer(nil)), nil) }},
		{name: "JWS typ missing", kind: core.ErrBadResponse, desc: core.DescDecodingFailed, body: func(p btJWT) string {
			k := p.as.SigningKey()
			return p.encrypt(p.signWith(jose.ES256, k.Key, p.outer(nil), map[jose.HeaderKey]any{"kid": k.KeyID}), nil)
		}},
		{name: "JWS zip refused", kind: core.ErrBadResponse, desc: core.DescDecodingFailed, body: func(p btJWT) string {
			return p.encrypt(p.sign(p.outer(nil), map[jose.HeaderKey]any{"zip": "DEF"}), nil)
		}},
		{name: "JWS typ JWT", kind: core.ErrBadResponse, desc: core.DescDecodingFailed,
			body: func(p btJWT) string {
				return p.encrypt(p.sign(p.outer(nil), map[jose.HeaderKey]any{"typ": "JWT"}), nil)
			}},
		{name: "JWS typ with application/ prefix accepted", body: func(p btJWT) string {
			return p.encrypt(p.sign(p.outer(nil), map[jose.HeaderKey]any{"typ": "application/token-introspection+jwt"}), nil)
		}},
		{name: "JWS by a key not in the JWKS", kind: core.ErrBadResponse, desc: core.DescDecodingFailed, body: func(p btJWT) string {
			return p.encrypt(p.signWith(jose.ES256, rogue, p.outer(nil), map[jose.HeaderKey]any{"kid": "rogue", "typ": "token-introspection+jwt"}), nil)
		}},
		{name: "JWS with the AS kid by another key", kind: core.ErrBadResponse, desc: core.DescDecodingFailed, body: func(p btJWT) string {
			hdr := map[jose.HeaderKey]any{"kid": p.as.SigningKey().KeyID, "typ": "token-introspection+jwt"}
			return p.encrypt(p.signWith(jose.ES256, rogue, p.outer(nil), hdr), nil)
		}},
		{name: "JWS payload not JSON", kind: core.ErrBadResponse, desc: core.DescDecodingFailed,
			body: func(p btJWT) string { return p.encrypt(p.sign([]byte("hello"), nil), nil) }},
		{name: "outer iss mismatch", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(map[string]any{"iss": "https://evil.example"}), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "outer iss missing", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(map[string]any{"iss": nil}), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "outer aud mismatch", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(map[string]any{"aud": "someone-else"}), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "outer aud missing", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(map[string]any{"aud": nil}), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "outer aud array with the client id", body: func(p btJWT) string {
			aud := []string{"other-rs", oidcrstest.DefaultClientID}
			return p.encryptTo(p.sign(p.outer(map[string]any{"aud": aud}), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM,
				map[jose.HeaderKey]any{"iss": p.as.URL, "aud": aud}, false)
		}},
		{name: "outer aud array without the client id", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encryptTo(p.sign(p.outer(map[string]any{"aud": []string{"a", "b"}}), nil), keyA, kidA, jose.RSA_OAEP, jose.A256GCM, nil, false)
		}},
		{name: "token_introspection missing", kind: core.ErrBadResponse, desc: core.DescInvalidClaims,
			body: func(p btJWT) string {
				return p.encrypt(p.sign(p.outer(map[string]any{"token_introspection": nil}), nil), nil)
			}},
		{name: "token_introspection not an object", kind: core.ErrBadResponse, desc: core.DescInvalidClaims,
			body: func(p btJWT) string {
				return p.encrypt(p.sign(p.outer(map[string]any{"token_introspection": "yes"}), nil), nil)
			}},
		{name: "outer exp in the past", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encrypt(p.sign(p.outer(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), nil), nil)
		}},
		{name: "outer iat in the future", kind: core.ErrBadResponse, desc: core.DescInvalidClaims, body: func(p btJWT) string {
			return p.encrypt(p.sign(p.outer(map[string]any{"iat": time.Now().Add(time.Hour).Unix()}), nil), nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JWT)
			p := btJWT{t: t, as: as}
			btAnswer(as, http.StatusOK, btOr(tc.ctype, ctypeJWT), []byte(tc.body(p)))
			rs := btRS(t, as, nil)
			ti, err := btAuth(rs, as.Mint(nil))
			if tc.kind == nil {
				require.NoError(t, err)
				require.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
				return
			}
			status := map[error]int{core.ErrBadResponse: http.StatusBadGateway, core.ErrInvalidToken: http.StatusUnauthorized}[tc.kind]
			btRejected(t, rs, err, tc.kind, status, tc.desc)
		})
	}
}

// TestEnvelopeAudienceWithEmptyEntry: the envelope's aud goes through the
// same parser as the claims.
func TestEnvelopeAudienceWithEmptyEntry(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JWT)
	btEnvelope(t, as, func(e map[string]any) { e["aud"] = []string{oidcrstest.DefaultClientID, ""} })
	rs := btRS(t, as, nil)
	_, err := btAuth(rs, as.Mint(nil))
	btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescInvalidClaims)
}
