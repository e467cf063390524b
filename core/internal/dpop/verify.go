package dpop

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Algorithms are the signature algorithms a proof may use, in the order the
// DPoP challenge's algs parameter lists them. All are asymmetric; ES256 is the
// one every DPoP client supports.
var Algorithms = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.PS256, jose.RS256, jose.EdDSA}

const (
	// DefaultWindow is how far a proof's iat may be from the clock, either way.
	DefaultWindow = 60 * time.Second
	maxProofLen   = 8 << 10 // a proof with an RSA-4096 jwk is about 1.5 KiB
	maxJTILen     = 256
	minRSABits    = 2048
)

// Config configures a Verifier. The zero value is usable.
type Config struct {
	// Window is how far a proof's iat may be from Now, in the past or the
	// future. Default value: DefaultWindow (60 s).
	Window time.Duration
	// Now is the clock. Default value: time.Now.
	Now func() time.Time
	// Replay remembers the jti of accepted proofs. Default value: a new
	// NewReplay(DefaultReplaySize) of the Verifier's own.
	Replay *Replay
}

// Verifier checks DPoP proofs. It is safe for concurrent use.
type Verifier struct {
	window time.Duration
	now    func() time.Time
	replay *Replay
}

// NewVerifier returns a Verifier for cfg, with defaults for its zero fields.
func NewVerifier(cfg Config) *Verifier {
	v := &Verifier{window: cfg.Window, now: cfg.Now, replay: cfg.Replay}
	if v.window <= 0 {
		v.window = DefaultWindow
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.replay == nil {
		v.replay = NewReplay(0)
	}
	return v
}

// Request is what a proof must match.
type Request struct {
	// Method is the HTTP method, compared with htm exactly.
	Method string
	// URI is the request's URI from Base.URI; an empty URI matches no proof.
	URI string
	// AccessToken is the token the request carries, whose hash ath must be.
	AccessToken string
}

// Verify checks proof against req and returns the RFC 7638 SHA-256 thumbprint
// of the proof's key, base64url without padding, which the caller must
// compare with the token's cnf.jkt. Every refusal matches ErrInvalidProof and
// is a *Error saying what was wrong. A proof accepted once is refused after.
func (v *Verifier) Verify(proof string, req Request) (jkt string, err error) {
	a, err := v.Accept(proof, req)
	return a.JKT, err
}

// Accepted is a proof Accept took.
type Accepted struct {
	// JKT is the thumbprint of the proof's key (see Verify).
	JKT string
	// ID names the proof in a replay cache: a hash of its key and jti.
	ID [32]byte
	// Expires is when the proof could no longer be accepted anyway: its iat
	// plus the window. A replay cache shared by several verifiers keeps ID
	// until then.
	Expires time.Time
}

// Accept is Verify, returning what a replay cache shared beyond this
// Verifier needs besides the thumbprint.
func (v *Verifier) Accept(proof string, req Request) (Accepted, error) {
	var none Accepted
	p, err := parse(proof)
	if err != nil {
		return none, err
	}
	c := p.claims
	if c.JTI == nil || *c.JTI == "" || len(*c.JTI) > maxJTILen {
		return none, refuse(KindJTI)
	}
	if c.HTM == nil || *c.HTM != req.Method || req.Method == "" {
		return none, refuse(KindMethod)
	}
	want, ok := normaliseHTU(req.URI)
	if c.HTU == nil || !ok {
		return none, refuse(KindURI)
	}
	if got, ok := normaliseHTU(*c.HTU); !ok || got != want {
		return none, refuse(KindURI)
	}
	now := v.now()
	if c.IAT == nil || math.IsNaN(*c.IAT) || math.IsInf(*c.IAT, 0) ||
		math.Abs(*c.IAT-float64(now.UnixNano())/1e9) > v.window.Seconds() {
		return none, refuse(KindIssuedAt)
	}
	ath := sha256.Sum256([]byte(req.AccessToken))
	wantATH := base64.RawURLEncoding.EncodeToString(ath[:])
	if c.ATH == nil || subtle.ConstantTimeCompare([]byte(*c.ATH), []byte(wantATH)) != 1 {
		return none, refuse(KindTokenHash)
	}
	key := sha256.Sum256([]byte(p.jkt + "\x00" + *c.JTI))
	expires := time.Unix(0, int64(*c.IAT*1e9)).Add(v.window)
	if err := v.replay.Add(key, expires, now); err != nil {
		return none, err
	}
	return Accepted{JKT: p.jkt, ID: key, Expires: expires}, nil
}

// claims are the proof's claims this package reads; a nil field is absent.
type claims struct {
	JTI *string  `json:"jti"`
	HTM *string  `json:"htm"`
	HTU *string  `json:"htu"`
	IAT *float64 `json:"iat"`
	ATH *string  `json:"ath"`
}

type parsed struct {
	claims claims
	jkt    string
}

// parse checks everything that does not depend on the request: the shape, the
// protected header (typ, alg, jwk), the signature; it returns the claims and
// the key's thumbprint.
func parse(proof string) (*parsed, error) {
	if len(proof) > maxProofLen || strings.Count(proof, ".") != 2 {
		return nil, refuse(KindMalformed)
	}
	jws, err := jose.ParseSignedCompact(proof, Algorithms)
	if err != nil {
		return nil, classify(proof[:strings.IndexByte(proof, '.')])
	}
	if len(jws.Signatures) != 1 {
		return nil, refuse(KindMalformed)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); !strings.EqualFold(typ, "dpop+jwt") {
		return nil, refuse(KindType)
	}
	jwk := h.JSONWebKey
	if jwk == nil || !jwk.Valid() || !jwk.IsPublic() {
		return nil, refuse(KindKey)
	}
	if k, ok := jwk.Key.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
		return nil, refuse(KindKey)
	}
	payload, err := jws.Verify(jwk.Key)
	if err != nil {
		return nil, refuse(KindSignature)
	}
	var p parsed
	if err := json.Unmarshal(payload, &p.claims); err != nil {
		return nil, refuse(KindMalformed)
	}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, refuse(KindKey)
	}
	p.jkt = base64.RawURLEncoding.EncodeToString(tp)
	return &p, nil
}

// classify reads the protected header of a proof go-jose refused, only to
// say precisely why: a disallowed alg, or a jwk carrying private or
// symmetric key material; anything else is malformed. It runs on refusals
// only, so an accepted proof's header is decoded once.
func classify(seg string) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return refuse(KindMalformed)
	}
	var h struct {
		Alg string                     `json:"alg"`
		JWK map[string]json.RawMessage `json:"jwk"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return refuse(KindMalformed)
	}
	allowed := false
	for _, a := range Algorithms {
		allowed = allowed || string(a) == h.Alg
	}
	if !allowed {
		return refuse(KindAlgorithm)
	}
	if h.JWK == nil {
		return refuse(KindKey)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := h.JWK[private]; ok {
			return refuse(KindKey)
		}
	}
	return refuse(KindMalformed)
}
