package dpop

import "errors"

// ErrInvalidProof is matched (errors.Is) by every refusal that is the
// client's fault: the RFC 9449 error is invalid_dpop_proof for all of them.
var ErrInvalidProof = errors.New("dpop: invalid proof")

// ErrReplayFull is matched (errors.Is) instead of ErrInvalidProof when a
// proof is refused only because the replay cache is full of live entries: the
// resource server is out of capacity (answer 503), the proof may be good.
var ErrReplayFull = errors.New("dpop: replay cache full")

// Kind says what was wrong with a proof. Callers read it with errors.As, never
// from the error's text.
type Kind int

// The reasons a proof is refused.
const (
	KindMalformed  Kind = iota + 1 // not a compact JWS, or claims that are not a JSON object of the right types
	KindType                       // typ is not dpop+jwt
	KindAlgorithm                  // alg is not one of Algorithms
	KindKey                        // jwk missing, not public, or too weak
	KindSignature                  // the signature does not verify with jwk
	KindMethod                     // htm is not the request's method
	KindURI                        // htu is not the request's URI
	KindIssuedAt                   // iat missing or outside the window
	KindTokenHash                  // ath missing or not the access token's hash
	KindJTI                        // jti missing or too long
	KindReplay                     // jti already seen within the window
	KindReplayFull                 // the replay cache is full of live entries
)

var kindNames = map[Kind]string{
	KindMalformed:  "malformed",
	KindType:       "typ",
	KindAlgorithm:  "alg",
	KindKey:        "jwk",
	KindSignature:  "signature",
	KindMethod:     "htm",
	KindURI:        "htu",
	KindIssuedAt:   "iat",
	KindTokenHash:  "ath",
	KindJTI:        "jti",
	KindReplay:     "replay",
	KindReplayFull: "replay cache full",
}

// String names the kind, for logs.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown"
}

// Error is a refused proof. It is created fresh for each refusal and matches
// ErrInvalidProof with errors.Is, or ErrReplayFull for KindReplayFull.
type Error struct {
	kind Kind
}

// Kind says what was wrong.
func (e *Error) Kind() Kind { return e.kind }

// Error names the kind; it never includes the proof or the token.
func (e *Error) Error() string { return "dpop: invalid proof: " + e.kind.String() }

// Is makes errors.Is(err, ErrInvalidProof) true, or errors.Is(err,
// ErrReplayFull) for KindReplayFull.
func (e *Error) Is(target error) bool {
	if e.kind == KindReplayFull {
		return target == ErrReplayFull
	}
	return target == ErrInvalidProof
}

func refuse(k Kind) error { return &Error{kind: k} }

// Refusal is the error of a proof refused for k by a check outside this
// package: KindReplay, for a replay cache shared with other verifiers.
func Refusal(k Kind) error { return refuse(k) }
