package core

import "crypto/subtle"

// binding is how a token is bound to its sender (RFC 7800 cnf): the
// thumbprint of a DPoP key (RFC 9449 jkt) or of a client certificate
// (RFC 8705 x5t#S256). A TokenInfo without one (nil) is a bearer token.
type binding struct {
	jkt, x5t string
	// unknown: cnf is not an object, or names no method this server
	// checks, or one of its methods has a value that is not a string. The
	// token is refused: a binding that cannot be checked is not ignored.
	unknown bool
}

// bindingOf reads an answer's cnf member; nil when it has none.
func bindingOf(claims map[string]any) *binding {
	v, ok := claims["cnf"]
	if !ok {
		return nil
	}
	cnf, ok := v.(map[string]any)
	if !ok {
		return &binding{unknown: true}
	}
	jkt, badJKT := cnfString(cnf, "jkt")
	x5t, badX5t := cnfString(cnf, "x5t#S256")
	b := &binding{jkt: jkt, x5t: x5t, unknown: badJKT || badX5t}
	if b.jkt == "" && b.x5t == "" {
		b.unknown = true
	}
	return b
}

// cnfString reads one confirmation method of cnf: its value, and bad when
// it is present but not a non-empty string.
func cnfString(cnf map[string]any, name string) (v string, bad bool) {
	x, present := cnf[name]
	if !present {
		return "", false
	}
	v, ok := x.(string)
	return v, !ok || v == ""
}

// checkBinding applies a verified token's binding to the request that
// carried it: proofJKT is the thumbprint of the request's valid DPoP proof
// ("" when the request used the Bearer scheme), certX5t that of the
// client certificate it presented ("" for none; see certThumbprint). A
// token bound to a DPoP key needs its proof, one bound to a certificate
// needs that certificate (RFC 8705 section 3), one bound to both needs
// both. An unbound token, or one bound to a certificate alone, may not
// use the DPoP scheme. The caller answers a refusal on the request's
// scheme (onScheme).
func checkBinding(b *binding, proofJKT, certX5t string) error {
	dpopScheme := proofJKT != ""
	switch {
	case b != nil && b.unknown:
		return errUnknownBinding
	case b == nil || b.jkt == "":
		if dpopScheme {
			return errNotBound
		}
	case !dpopScheme:
		return errBoundAsBearer
	case subtle.ConstantTimeCompare([]byte(b.jkt), []byte(proofJKT)) != 1:
		return errKeyBinding
	}
	if b != nil && b.x5t != "" && subtle.ConstantTimeCompare([]byte(b.x5t), []byte(certX5t)) != 1 {
		return errCertBinding
	}
	return nil
}

// The refusals of checkBinding; a DPoP request's are answered on the DPoP
// challenge.
var (
	errBoundAsBearer  = &authError{kind: ErrInvalidToken, desc: descBoundAsBearer}
	errNotBound       = &authError{kind: ErrInvalidToken, desc: descNotBound, dpop: true}
	errKeyBinding     = &authError{kind: ErrInvalidToken, desc: descKeyBinding, dpop: true}
	errUnknownBinding = &authError{kind: ErrInvalidToken, desc: descUnknownBinding}
	errDPoPRequired   = &authError{kind: ErrInvalidToken, desc: descDPoPRequired, dpop: true}
	// RFC 8705 has no scheme of its own: a certificate-bound token is a
	// Bearer token, unless it is bound to a DPoP key as well.
	errCertBinding = &authError{kind: ErrInvalidToken, desc: descCertBinding}
)
