// Package failure gives the causes of core's failed decisions a kind, so
// that a caller (the oidcrs command's check) tells them apart with
// errors.As rather than by their text. The kinds are for operators: a
// client is answered by the error's sentinel and fixed description only.
package failure

import "errors"

// Kind is what failed when the authorization server's answer could not be
// used.
type Kind uint8

// The kinds. Unknown is a cause of no known kind.
const (
	Unknown      Kind = iota
	ClientAuth        // the AS refused the resource server's own client authentication
	NotJWT            // the answer is not application/token-introspection+jwt
	Decryption        // the answer does not decrypt with the resource server's keys
	UnknownRSKey      // the answer's JWE kid names no key of the resource server's
	Signature         // the decrypted answer is no JWS of the configured algs, or fails verification
	ASKeys            // the AS's signing keys cannot be fetched or read
	Claims            // the answer's iss, aud, iat or exp is wrong
)

// Error is a cause of a known kind. Its message is its cause's: the kind
// adds no text.
type Error struct {
	Kind Kind
	Err  error
}

// New returns err marked with kind.
func New(kind Kind, err error) *Error { return &Error{Kind: kind, Err: err} }

// Error returns the cause's message.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the cause, so that errors.Is still finds it.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first Error in err's tree, or Unknown.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Unknown
}
