package sharedcache

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"time"
)

// What the shared cache holds, and how nobody without OIDC_RS_CACHE_SECRET
// can read or forge it:
//
//	key     prefix "{" base64url(HMAC-SHA256(macKey, fingerprint || token)) "}"
//	value   0x02 || nonce || AES-256-GCM(valueKey, written || verdict, aad = key)
//	marker  under key ":forgot": 0x02 || nonce || AES-256-GCM(valueKey, forgot, aad = key ":forgot")
//	          valueKey = HMAC-SHA256(valRoot, fingerprint || token)
//	          written, forgot = unix nanoseconds, 8 bytes big endian
//	invalidation message  0x01 || nonce || AES-256-GCM(invalKey, L1 key, aad = channel)
//
// macKey, valRoot and invalKey are HKDF-SHA256 expansions of each secret.
// A reader of the store learns nothing without the secret and the token; a
// writer cannot make a value or a marker that opens, nor move one to
// another key. written is when the verdict was obtained (the clock read
// before the authorization server was asked), forgot when Forget ran: a
// value not written after its token's marker is void (see found). A value
// of another format (0x01 had no time) does not open: a miss. The braces
// are a Redis Cluster hash tag: a value, its lock and its marker share a
// slot.

const (
	valueVersion   = 0x02 // values and markers
	messageVersion = 0x01 // invalidation messages
	sharedPrefix   = "oidcrs:v1:"
	invalChannel   = sharedPrefix + "invalidate"
	lockSuffix     = ":lock"
	markerSuffix   = ":forgot"
	sealNonceSize  = 12
	sealTimeSize   = 8
)

// sealKeys are the keys derived from one secret (OIDC_RS_CACHE_SECRET).
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

func keyedHash(key []byte, fp *[32]byte, token string) []byte {
	var h hash.Hash = hmac.New(sha256.New, key)
	h.Write(fp[:])
	h.Write([]byte(token))
	return h.Sum(nil)
}

// storeKey is the shared-cache key of token under these keys.
func (k *sealKeys) storeKey(fp *[32]byte, token string) string {
	return sharedPrefix + "{" + base64.RawURLEncoding.EncodeToString(keyedHash(k.mac, fp, token)) + "}"
}

func (k *sealKeys) valueAEAD(fp *[32]byte, token string) (cipher.AEAD, error) {
	return newGCM(keyedHash(k.valRoot, fp, token))
}

// seal encrypts plain with aead in the format version, binding aad; open
// reverses it.
func seal(aead cipher.AEAD, version byte, plain []byte, aad string) []byte {
	out := make([]byte, 1+sealNonceSize, 1+sealNonceSize+len(plain)+aead.Overhead())
	out[0] = version
	_, _ = rand.Read(out[1 : 1+sealNonceSize])
	return aead.Seal(out, out[1:1+sealNonceSize], plain, []byte(aad))
}

var errSealed = errors.New("shared cache value does not open: another version, another secret, moved or changed")

func open(aead cipher.AEAD, version byte, sealed []byte, aad string) ([]byte, error) {
	if len(sealed) < 1+sealNonceSize+aead.Overhead() || sealed[0] != version {
		return nil, errSealed
	}
	plain, err := aead.Open(nil, sealed[1:1+sealNonceSize], sealed[1+sealNonceSize:], []byte(aad))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// sealTimed seals at, then plain, under key: a value, or with no plain a
// marker. openTimed reverses it.
func sealTimed(aead cipher.AEAD, at time.Time, plain []byte, key string) []byte {
	buf := make([]byte, sealTimeSize, sealTimeSize+len(plain))
	binary.BigEndian.PutUint64(buf, uint64(at.UnixNano()))
	return seal(aead, valueVersion, append(buf, plain...), key)
}

func openTimed(aead cipher.AEAD, sealed []byte, key string) (time.Time, []byte, error) {
	plain, err := open(aead, valueVersion, sealed, key)
	if err != nil {
		return time.Time{}, nil, err
	}
	if len(plain) < sealTimeSize {
		return time.Time{}, nil, errSealed
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(plain))), plain[sealTimeSize:], nil
}

var errWrongCount = errors.New("shared store answered the wrong number of values")
