package adaptertest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// dpopKeys are the DPoP client keys of the conformance suite: key, to
// which its bound tokens are bound (thumbprint, RFC 7638), and other.
type dpopKeys struct {
	key, other *ecdsa.PrivateKey
	thumbprint string
	jti        atomic.Int64
}

var (
	keysOnce  sync.Once
	keys      *dpopKeys
	errOfKeys error
)

// suiteKeys returns the suite's keys, generated once.
func suiteKeys(t *testing.T) *dpopKeys {
	keysOnce.Do(func() { keys, errOfKeys = newDPoPKeys() })
	if errOfKeys != nil {
		t.Fatalf("generating the DPoP keys: %v", errOfKeys)
	}
	return keys
}

func newDPoPKeys() (*dpopKeys, error) {
	k := &dpopKeys{}
	var err error
	if k.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if k.other, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	tp, err := (&jose.JSONWebKey{Key: &k.key.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	k.thumbprint = base64.RawURLEncoding.EncodeToString(tp)
	return k, nil
}

// proof is an ES256 DPoP proof (RFC 9449 section 4.2) by signer, with its
// public key in the header, for a request sent with method to uri with
// token; each has a jti of its own. It panics on a failure to sign, which
// only a broken crypto library could cause.
func (k *dpopKeys) proof(signer *ecdsa.PrivateKey, method, uri, token string) string {
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: signer}, opts)
	if err != nil {
		panic(err)
	}
	ath := sha256.Sum256([]byte(token))
	claims, err := json.Marshal(map[string]any{
		"jti": "conformance-" + strconv.FormatInt(k.jti.Add(1), 10) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		"htm": method, "htu": uri, "iat": time.Now().Unix(),
		"ath": base64.RawURLEncoding.EncodeToString(ath[:]),
	})
	if err != nil {
		panic(err)
	}
	jws, err := s.Sign(claims)
	if err != nil {
		panic(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return out
}

// DPoPClient is a DPoP client key (ES256) for an adapter's own tests.
type DPoPClient struct{ k *dpopKeys }

// NewDPoPClient returns the suite's client key.
func NewDPoPClient(t *testing.T) DPoPClient { return DPoPClient{suiteKeys(t)} }

// Thumbprint is the key's RFC 7638 thumbprint: a bound token's cnf.jkt.
func (c DPoPClient) Thumbprint() string { return c.k.thumbprint }

// Proof is a fresh proof by the key for a request sent with method to uri
// with token.
func (c DPoPClient) Proof(method, uri, token string) string {
	return c.k.proof(c.k.key, method, uri, token)
}
