package core_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The attack suite: crafted requests and crafted (really signed, really
// encrypted) authorization server answers. Each case is rejected with its
// documented status: a malformed request 400, a bad token 401
// invalid_token, a scope problem 403, an answer that cannot be trusted
// 502, an unreachable AS 503. docs/security.md lists the decisions.

func attackCases() []failureCase {
	craft := func(body func(*testing.T, *harness) string) func(*testing.T, *harness, *probe) {
		return func(t *testing.T, h *harness, _ *probe) { h.serveBody(body(t, h)) }
	}
	// signed is the good answer, signed by the AS with extra JWS headers.
	signed := func(extra map[jose.HeaderKey]any) func(*testing.T, *harness) string {
		return func(t *testing.T, h *harness) string { return h.encrypt(t, h.sign(t, h.outer(h.answer()), extra), nil) }
	}
	outer := func(edit func(map[string]any)) func(*testing.T, *harness) string {
		return func(t *testing.T, h *harness) string {
			o := h.outer(h.answer())
			edit(o)
			return h.encrypt(t, h.sign(t, o, nil), nil)
		}
	}
	// foreignJWE encrypts the good signed answer with go-jose directly.
	foreignJWE := func(rcpt func(*harness) jose.Recipient, opts *jose.EncrypterOptions, enc jose.ContentEncryption, full bool) func(*testing.T, *harness) string {
		return func(t *testing.T, h *harness) string {
			return encryptWith(t, rcpt(h), opts, enc, []byte(h.sign(t, h.outer(h.answer()), nil)), full)
		}
	}
	rsRecipient := func(alg jose.KeyAlgorithm) func(*harness) jose.Recipient {
		return func(*harness) jose.Recipient {
			return jose.Recipient{Algorithm: alg, Key: testKeys().rsPub.Key, KeyID: testKeys().rsPub.KeyID}
		}
	}
	mint := func(claims map[string]any) func(*testing.T, *harness, *probe) {
		return func(_ *testing.T, h *harness, p *probe) { p.bearer(h.as.Mint(claims)) }
	}
	headers := func(vals ...string) func(*testing.T, *harness, *probe) {
		return func(_ *testing.T, _ *harness, p *probe) { p.headers = append([]string{}, vals...) }
	}
	bearer := func(tok func(*testing.T, *harness) string) func(*testing.T, *harness, *probe) {
		return func(t *testing.T, h *harness, p *probe) { p.bearer(tok(t, h)) }
	}
	jsonBody := func(body string) func(*testing.T, *harness, *probe) {
		return func(_ *testing.T, h *harness, _ *probe) { h.serveBody(body) }
	}
	J, W := oidcrstest.JSON, oidcrstest.JWT
	const dec, decode, claims = core.DescDecryptionFailed, core.DescDecodingFailed, core.DescInvalidClaims
	return []failureCase{
		// Forged or downgraded signatures.
		{name: "jws alg none", only: W, status: 502, desc: decode, arrange: craft(func(t *testing.T, h *harness) string {
			hdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"token-introspection+jwt"}`))
			return h.encrypt(t, hdr+"."+base64.RawURLEncoding.EncodeToString(mustJSON(t, h.outer(h.answer())))+".", nil)
		})},
		{name: "jws HS256 keyed with the AS public key", only: W, status: 502, desc: decode, arrange: craft(func(t *testing.T, h *harness) string {
			k := h.as.SigningKey()
			der, err := x509.MarshalPKIXPublicKey(k.Public().Key)
			require.NoError(t, err)
			secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			return h.encrypt(t, signWith(t, jose.HS256, secret, h.as.SigningKey().KeyID, mustJSON(t, h.outer(h.answer()))), nil)
		})},
		{name: "jws PS256 with the AS key where RS256 is configured", only: W, status: 502, desc: decode, arrange: craft(func(t *testing.T, h *harness) string {
			return h.encrypt(t, signWith(t, jose.PS256, h.as.SigningKey().Key, h.as.SigningKey().KeyID, mustJSON(t, h.outer(h.answer()))), nil)
		})},
		{name: "jws ES256 by another key", only: W, status: 502, desc: decode, arrange: craft(func(t *testing.T, h *harness) string {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			return h.encrypt(t, signWith(t, jose.ES256, k, "ec-1", mustJSON(t, h.outer(h.answer()))), nil)
		})},
		{name: "jws RS256 by another key claiming the AS kid", only: W, status: 502, desc: decode,
			arrange: craft(func(t *testing.T, h *harness) string {
				return h.encrypt(t, h.signForeign(t, h.as.SigningKey().KeyID), nil)
			})},
		{name: "jws typ missing", only: W, status: 502, desc: decode, arrange: craft(func(t *testing.T, h *harness) string {
			k := h.as.SigningKey()
			return h.encrypt(t, signWithOpts(t, jose.RS256, k.Key, (&jose.SignerOptions{}).WithHeader("kid", k.KeyID), mustJSON(t, h.outer(h.answer()))), nil)
		})},
		{name: "jws typ JWT", only: W, status: 502, desc: decode, arrange: craft(signed(map[jose.HeaderKey]any{"typ": "JWT"}))},
		{name: "jws typ at+jwt", only: W, status: 502, desc: decode, arrange: craft(signed(map[jose.HeaderKey]any{"typ": "at+jwt"}))},
		{name: "jws json serialization", only: W, status: 502, desc: decode, arrange: craft(func(t *testing.T, h *harness) string {
			k := h.as.SigningKey()
			opts := (&jose.SignerOptions{}).WithType("token-introspection+jwt").WithHeader("kid", k.KeyID)
			s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.Key}, opts)
			require.NoError(t, err)
			obj, err := s.Sign(mustJSON(t, h.outer(h.answer())))
			require.NoError(t, err)
			return h.encrypt(t, obj.FullSerialize(), nil)
		})},
		{name: "unsigned claims inside the jwe", only: W, status: 502, desc: decode,
			arrange: craft(func(t *testing.T, h *harness) string {
				return h.encrypt(t, string(mustJSON(t, h.outer(h.answer()))), nil)
			})},
		{name: "jwe nested in the jwe", only: W, status: 502, desc: decode,
			arrange: craft(func(t *testing.T, h *harness) string { return h.encrypt(t, h.realJWE(t), nil) })},
		// Encryption outside the configured algorithms.
		{name: "jwe RSA1_5", only: W, status: 502, desc: dec, arrange: craft(foreignJWE(rsRecipient(jose.RSA1_5), nil, jose.A256GCM, false))},
		{name: "jwe RSA-OAEP-256 where RSA-OAEP is configured", only: W, status: 502, desc: dec, arrange: craft(foreignJWE(rsRecipient(jose.RSA_OAEP_256), nil, jose.A256GCM, false))},
		{name: "jwe enc A128GCM where A256GCM is configured", only: W, status: 502, desc: dec, arrange: craft(foreignJWE(rsRecipient(jose.RSA_OAEP), nil, jose.A128GCM, false))},
		{name: "jwe alg dir", only: W, status: 502, desc: dec, arrange: craft(foreignJWE(func(*harness) jose.Recipient {
			return jose.Recipient{Algorithm: jose.DIRECT, Key: bytes.Repeat([]byte{7}, 32)}
		}, nil, jose.A256GCM, false))},
		{name: "jwe json serialization", only: W, status: 502, desc: dec, arrange: craft(foreignJWE(rsRecipient(jose.RSA_OAEP), nil, jose.A256GCM, true))},
		{name: "jwe zip DEF that inflates hugely", only: W, status: 502, desc: dec, arrange: craft(func(t *testing.T, h *harness) string {
			opts := (&jose.EncrypterOptions{Compression: jose.DEFLATE}).WithContentType("JWT")
			return encryptWith(t, rsRecipient(jose.RSA_OAEP)(h), opts, jose.A256GCM, bytes.Repeat([]byte{'a'}, 4<<20), false)
		})},
		{name: "jwe crit header", only: W, status: 502, desc: dec, arrange: craft(func(t *testing.T, h *harness) string {
			return h.encrypt(t, h.sign(t, h.outer(h.answer()), nil), map[jose.HeaderKey]any{"crit": []string{"x-ext"}, "x-ext": 1})
		})},
		{name: "jwe protected header over 4 KiB", only: W, status: 502, desc: dec, arrange: craft(func(t *testing.T, h *harness) string {
			return h.encrypt(t, h.sign(t, h.outer(h.answer()), nil), map[jose.HeaderKey]any{"pad": strings.Repeat("p", 5000)})
		})},
		// Claims of the RFC 9701 envelope.
		{name: "jwe header iss contradicts the claims", only: W, status: 502, desc: claims, arrange: craft(func(t *testing.T, h *harness) string {
			return h.encrypt(t, h.sign(t, h.outer(h.answer()), nil), map[jose.HeaderKey]any{"iss": "https://evil.example"})
		})},
		{name: "jwe header aud contradicts the claims", only: W, status: 502, desc: claims, arrange: craft(func(t *testing.T, h *harness) string {
			return h.encrypt(t, h.sign(t, h.outer(h.answer()), nil), map[jose.HeaderKey]any{"aud": "another-rs"})
		})},
		{name: "outer iss another issuer", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { o["iss"] = "https://evil.example" }))},
		{name: "outer aud another client", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { o["aud"] = []string{"another-rs"} }))},
		{name: "outer aud a number", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { o["aud"] = 7 }))},
		{name: "token_introspection a string", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { o["token_introspection"] = `{"active":true}` }))},
		{name: "token_introspection an array", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { o["token_introspection"] = []any{map[string]any{"active": true}} }))},
		{name: "token_introspection missing", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { delete(o, "token_introspection") }))},
		{name: "outer exp in the past", only: W, status: 502, desc: claims, arrange: craft(outer(func(o map[string]any) { o["exp"] = time.Now().Add(-time.Hour).Unix() }))},
		// Introspection answers (both backends: the kit serves them as JSON or as RFC 9701).
		{name: "active the string true", status: 502, desc: claims, arrange: mint(map[string]any{"active": "true"})},
		{name: "active missing", status: 502, desc: claims, arrange: mint(map[string]any{"active": nil})},
		{name: "active false", status: 401, desc: core.DescInactive, arrange: mint(map[string]any{"active": false})},
		{name: "scope an array", status: 502, desc: claims, arrange: mint(map[string]any{"scope": []string{oidcrstest.DefaultScope}})},
		{name: "scope missing", status: 403, desc: core.DescMissingScope, arrange: mint(map[string]any{"scope": nil})},
		{name: "scope sharing none", status: 403, desc: core.DescScopesMismatch, arrange: mint(map[string]any{"scope": "email profile"})},
		{name: "audience a number", status: 401, desc: core.DescMissingAudience, arrange: mint(map[string]any{"client_id": 42})},
		{name: "audience an array of non-strings", status: 401, desc: core.DescMissingAudience, arrange: mint(map[string]any{"client_id": []any{1, true}})},
		{name: "audience empty", status: 401, desc: core.DescMissingAudience, arrange: mint(map[string]any{"client_id": ""})},
		{name: "audience an empty array", status: 401, desc: core.DescMissingAudience, arrange: mint(map[string]any{"client_id": []any{}})},
		{name: "audience missing", status: 401, desc: core.DescMissingAudience, arrange: mint(map[string]any{"client_id": nil})},
		{name: "iss another issuer", status: 401, desc: claims, arrange: mint(map[string]any{"iss": "https://evil.example"})},
		{name: "sub a number", status: 502, desc: claims, arrange: mint(map[string]any{"sub": 7})},
		{name: "exp a string", status: 502, desc: claims, arrange: mint(map[string]any{"exp": "2999-01-01"})},
		{name: "exp beyond any date", status: 502, desc: claims, arrange: mint(map[string]any{"exp": 1e300})},
		{name: "nbf in the future", status: 401, desc: core.DescNotYetValid, arrange: mint(map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})},
		{name: "answer a JSON array", only: J, status: 502, desc: core.DescInvalidJSON, arrange: jsonBody(`[{"active":true}]`)},
		{name: "answer null", only: J, status: 502, desc: core.DescInvalidJSON, arrange: jsonBody(`null`)},
		{name: "answer with trailing data", only: J, status: 502, desc: core.DescInvalidJSON, arrange: jsonBody(`{"active":false} {"active":true}`)},
		{name: "answer nested too deep", only: J, status: 502, desc: core.DescInvalidJSON, arrange: jsonBody(`{"active":true,"x":` + strings.Repeat("[", 20000) + `}`)},
		// The request itself.
		{name: "duplicate Authorization headers", status: 400, desc: core.DescMalformedHeader, noCall: true,
			arrange: func(_ *testing.T, h *harness, p *probe) {
				p.headers = []string{"Bearer " + h.as.Mint(nil), "Bearer " + h.as.Mint(nil)}
			}},
		{name: "header over 8 KiB", status: 400, desc: core.DescMalformedHeader, noCall: true, arrange: headers("Bearer " + randomString(core.MaxHeaderLength))},
		{name: "token with a space", status: 400, desc: core.DescMalformedHeader, noCall: true, arrange: headers("Bearer " + randomString(20) + " " + randomString(20))},
		{name: "token with a control character", status: 400, desc: core.DescMalformedHeader, noCall: true, arrange: headers("Bearer " + randomString(20) + "\x01")},
		{name: "Bearer without a token", status: 400, desc: core.DescMalformedHeader, noCall: true, arrange: headers("Bearer   ")},
		{name: "another scheme", status: 401, code: "unauthorized", desc: core.DescMissingToken, noCall: true, arrange: headers("Basic " + randomString(24))},
		{name: "no Authorization header", status: 401, code: "unauthorized", desc: core.DescMissingToken, noCall: true, arrange: headers()},
		{name: "long token under the limit", status: 401, desc: core.DescInactive, asked: true, arrange: headers("Bearer " + randomString(core.MaxHeaderLength-len("Bearer ")))},
		{name: "bearer is a JWS from another issuer", status: 401, desc: core.DescInactive, asked: true, arrange: bearer(func(t *testing.T, h *harness) string {
			return signWith(t, jose.RS256, testKeys().other.Key, "evil", mustJSON(t, map[string]any{"iss": "https://evil.example", "active": true,
				"sub": "admin", "scope": oidcrstest.DefaultScope, "client_id": "evil", "exp": time.Now().Add(time.Hour).Unix()}))
		})},
		{name: "bearer is an answer the AS signed and encrypted to us", status: 401, desc: core.DescInactive, asked: true, arrange: bearer(func(t *testing.T, h *harness) string { return h.realJWE(t) })},
		{name: "as echoes the token in its description", status: 401, desc: core.DescUpstreamRejected, asked: true, arrange: func(_ *testing.T, h *harness, p *probe) {
			tok := h.as.Mint(nil)
			p.bearer(tok)
			h.as.SetFault(&oidcrstest.Fault{Status: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {`Bearer error="invalid_token", error_description="token ` + tok + ` is revoked"`}}})
		}},
	}
}

func TestAttacks(t *testing.T) {
	t.Parallel()
	runTable(t, attackCases())
}

// answer is a good introspection answer, as Mint gives it.
func (h *harness) answer() map[string]any {
	now := time.Now()
	return map[string]any{"active": true, "iss": h.as.URL, "client_id": oidcrstest.DefaultSPClientID, "sub": oidcrstest.DefaultSubject,
		"scope": oidcrstest.DefaultScope, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// outer wraps an introspection answer in the RFC 9701 claims, as the kit
// does.
func (h *harness) outer(ti any) map[string]any {
	return map[string]any{"iss": h.as.URL, "aud": h.as.Config().ClientID, "iat": time.Now().Unix(), "token_introspection": ti}
}

// sign signs claims with the AS's current key (typ and kid set, extra
// added).
func (h *harness) sign(t *testing.T, claims any, extra map[jose.HeaderKey]any) string {
	s, err := h.as.Sign(mustJSON(t, claims), extra)
	require.NoError(t, err)
	return s
}

// encrypt encrypts to the resource server's key as the kit does.
func (h *harness) encrypt(t *testing.T, plaintext string, extra map[jose.HeaderKey]any) string {
	s, err := h.as.Encrypt([]byte(plaintext), extra)
	require.NoError(t, err)
	return s
}

// realJWE is a good RFC 9701 answer.
func (h *harness) realJWE(t *testing.T) string {
	return h.encrypt(t, h.sign(t, h.outer(h.answer()), nil), nil)
}

// serveBody makes the AS answer 200 with body and its backend's media type.
func (h *harness) serveBody(body string) {
	ctype := "application/token-introspection+jwt"
	if h.mode == oidcrstest.JSON {
		ctype = "application/json"
	}
	h.as.SetAnswerFunc(func(string, map[string]any) (int, string, []byte) { return 200, ctype, []byte(body) })
}

// serveRealAnswer makes the AS give its real answer with another media type.
func (h *harness) serveRealAnswer(_ *testing.T, ctype string) {
	h.as.SetAnswerFunc(func(_ string, claims map[string]any) (int, string, []byte) {
		if h.mode == oidcrstest.JSON {
			return 200, ctype, []byte(`{"active":true,"scope":"groups","client_id":"sp-client"}`)
		}
		s, err := h.as.EncryptAnswer(claims)
		if err != nil {
			return 500, "text/plain", nil // fails the case: it expects 502
		}
		return 200, ctype, []byte(s)
	})
}

// serveJWE serves a good RFC 9701 answer after mutate.
func (h *harness) serveJWE(t *testing.T, mutate func(string) string) {
	h.serveBody(mutate(h.realJWE(t)))
}

// encryptTo encrypts the good signed answer to pub, announcing kid.
func (h *harness) encryptTo(t *testing.T, pub jose.JSONWebKey, kid string) string {
	rcpt := jose.Recipient{Algorithm: jose.RSA_OAEP, Key: pub.Key, KeyID: kid}
	return encryptWith(t, rcpt, nil, jose.A256GCM, []byte(h.sign(t, h.outer(h.answer()), nil)), false)
}

// signForeign signs the good answer with a key the AS never published.
func (h *harness) signForeign(t *testing.T, kid string) string {
	return signWith(t, jose.RS256, testKeys().other.Key, kid, mustJSON(t, h.outer(h.answer())))
}

func signWith(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, payload []byte) string {
	return signWithOpts(t, alg, key, (&jose.SignerOptions{}).WithType("token-introspection+jwt").WithHeader("kid", kid), payload)
}

func signWithOpts(t *testing.T, alg jose.SignatureAlgorithm, key any, opts *jose.SignerOptions, payload []byte) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	require.NoError(t, err)
	obj, err := s.Sign(payload)
	require.NoError(t, err)
	c, err := obj.CompactSerialize()
	require.NoError(t, err)
	return c
}

func encryptWith(t *testing.T, rcpt jose.Recipient, opts *jose.EncrypterOptions, enc jose.ContentEncryption, plaintext []byte, full bool) string {
	if opts == nil {
		opts = (&jose.EncrypterOptions{}).WithContentType("JWT")
	}
	e, err := jose.NewEncrypter(enc, rcpt, opts)
	require.NoError(t, err)
	obj, err := e.Encrypt(plaintext)
	require.NoError(t, err)
	if full {
		return obj.FullSerialize()
	}
	c, err := obj.CompactSerialize()
	require.NoError(t, err)
	return c
}
