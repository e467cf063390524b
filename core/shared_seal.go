package core

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash"
	"time"
)

// What the shared cache holds, and how nobody without OIDC_RS_CACHE_SECRET
// can read or forge it:
//
//	key    prefix "{" base64url(HMAC-SHA256(macKey, fingerprint || token)) "}"
//	value  0x01 || nonce || AES-256-GCM(valueKey, verdict, aad = key)
//	         valueKey = HMAC-SHA256(valRoot, fingerprint || token)
//	invalidation message  0x01 || nonce || AES-256-GCM(invalKey, L1 key, aad = channel)
//
// macKey, valRoot and invalKey are HKDF-SHA256 expansions of each secret.
// A reader of the store learns nothing without the secret and the token; a
// writer cannot make a value that opens, nor move one to another key. The
// braces are a Redis Cluster hash tag: a value and its lock share a slot.

const (
	sealVersion   = 0x01
	sharedPrefix  = "oidcrs:v1:"
	invalChannel  = sharedPrefix + "invalidate"
	lockSuffix    = ":lock"
	sealNonceSize = 12
)

// sealKeys are the keys derived from one OIDC_RS_CACHE_SECRET.
type sealKeys struct {
	mac     []byte
	valRoot []byte
	inval   cipher.AEAD
}

func deriveSealKeys(secret string) (sealKeys, error) {
	expand := func(info string) ([]byte, error) {
		return hkdf.Key(sha256.New, []byte(secret), nil, "oidcrs shared cache "+info, 32)
	}
	mac, err := expand("key v1")
	if err != nil {
		return sealKeys{}, err
	}
	valRoot, err := expand("value v1")
	if err != nil {
		return sealKeys{}, err
	}
	ik, err := expand("invalidation v1")
	if err != nil {
		return sealKeys{}, err
	}
	aead, err := newGCM(ik)
	return sealKeys{mac: mac, valRoot: valRoot, inval: aead}, err
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func keyedHash(key []byte, fp *fingerprint, token string) []byte {
	var h hash.Hash = hmac.New(sha256.New, key)
	h.Write(fp[:])
	h.Write([]byte(token))
	return h.Sum(nil)
}

// storeKey is the shared-cache key of token under these keys.
func (k *sealKeys) storeKey(fp *fingerprint, token string) string {
	return sharedPrefix + "{" + base64.RawURLEncoding.EncodeToString(keyedHash(k.mac, fp, token)) + "}"
}

func (k *sealKeys) valueAEAD(fp *fingerprint, token string) (cipher.AEAD, error) {
	return newGCM(keyedHash(k.valRoot, fp, token))
}

// seal encrypts plain with aead, binding aad; open reverses it.
func seal(aead cipher.AEAD, plain []byte, aad string) []byte {
	out := make([]byte, 1+sealNonceSize, 1+sealNonceSize+len(plain)+aead.Overhead())
	out[0] = sealVersion
	_, _ = rand.Read(out[1 : 1+sealNonceSize])
	return aead.Seal(out, out[1:1+sealNonceSize], plain, []byte(aad))
}

var errSealed = errors.New("shared cache value does not open: another version, another secret, moved or changed")

func open(aead cipher.AEAD, sealed []byte, aad string) ([]byte, error) {
	if len(sealed) < 1+sealNonceSize+aead.Overhead() || sealed[0] != sealVersion {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+sealNonceSize], sealed[1+sealNonceSize:], []byte(aad))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// A value's plaintext: one byte for what it holds, the entry's expiry in
// unix nanoseconds (8 bytes, big endian), then JSON: the introspection
// answer of a good token (checked again by the reader, with its own
// settings), or a rejection's kind, description and scope.
const (
	verdictGood     = 'g'
	verdictRejected = 'r'
	verdictHeader   = 9
)

type sharedRejection struct {
	Kind  string `json:"k"`
	Desc  string `json:"d"`
	Scope string `json:"s,omitempty"`
}

var sharedKinds = map[string]error{"invalid_token": ErrInvalidToken, "insufficient_scope": ErrInsufficientScope}

// encodeVerdict turns a cache entry into a value's plaintext; ok is false
// for what is never shared.
func encodeVerdict(e cacheEntry) ([]byte, bool) {
	out := make([]byte, verdictHeader, 512)
	binary.BigEndian.PutUint64(out[1:], uint64(e.Expires.UnixNano()))
	var body any
	switch {
	case e.Val.info != nil && e.Val.info.rest != "":
		out[0], body = verdictGood, json.RawMessage(e.Val.info.answerJSON())
	case e.Val.err != nil:
		r := sharedRejection{Desc: e.Val.err.desc, Scope: e.Val.err.scope}
		for name, kind := range sharedKinds {
			if e.Val.err.kind == kind {
				r.Kind = name
			}
		}
		if r.Kind == "" {
			return nil, false
		}
		out[0], body = verdictRejected, r
	default:
		return nil, false
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, false
	}
	return append(out, b...), true
}

// decodeVerdict reads a value's plaintext at now: a good token's claims go
// through this server's claim checks again.
func decodeVerdict(b []byte, c *claimChecker, now time.Time) (cacheEntry, bool) {
	if len(b) < verdictHeader {
		return cacheEntry{}, false
	}
	exp := int64(binary.BigEndian.Uint64(b[1:]))
	if now.UnixNano() >= exp {
		return cacheEntry{}, false
	}
	switch b[0] {
	case verdictGood:
		claims, err := decodeObject(b[verdictHeader:])
		if err != nil {
			return cacheEntry{}, false
		}
		ti, err := c.check(claims, now)
		if err != nil {
			return cacheEntry{}, false
		}
		return cacheEntry{Val: cached{info: ti}, Expires: time.Unix(0, exp)}, true
	case verdictRejected:
		var r sharedRejection
		if json.Unmarshal(b[verdictHeader:], &r) != nil {
			return cacheEntry{}, false
		}
		kind, ok := sharedKinds[r.Kind]
		if !ok || !printable(r.Desc, true) || (r.Scope != "" && !printable(r.Scope, true)) {
			return cacheEntry{}, false
		}
		return cacheEntry{Val: cached{err: &authError{kind: kind, desc: r.Desc, scope: r.Scope}}, Expires: time.Unix(0, exp)}, true
	}
	return cacheEntry{}, false
}
