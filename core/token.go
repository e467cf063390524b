package core

import (
	"encoding/base64"
	"unicode/utf8"
)

// MaxHeaderLength bounds the Authorization header; longer is
// invalid_request.
const MaxHeaderLength = 8 << 10

var (
	errEmptyToken   = &Error{Kind: ErrInvalidRequest, Description: DescMalformedHeader}
	errTooLong      = &Error{Kind: ErrInvalidRequest, Description: DescMalformedHeader}
	errBadTokenChar = &Error{Kind: ErrInvalidRequest, Description: DescMalformedHeader}
	errNoToken      = &Error{Kind: ErrMissingToken, Description: DescMissingToken}
	errManyHeaders  = &Error{Kind: ErrInvalidRequest, Description: DescMalformedHeader}
)

// ExtractToken returns the bearer token of an Authorization header value
// (RFC 6750 section 2.1). The scheme is case-insensitive. An empty header,
// or one with another scheme, is ErrMissingToken. "Bearer" without a token,
// two tokens, a character outside b64token, or a header over
// MaxHeaderLength is ErrInvalidRequest.
//
// It then applies the reference's rule: a token that is strict, padded,
// standard base64 and decodes to valid UTF-8 is replaced by its decoding
// (some clients base64-encode their tokens); any other token is used as is.
// It allocates only to return a decoded token.
func ExtractToken(header string) (string, error) {
	if len(header) > MaxHeaderLength {
		return "", errTooLong
	}
	if header == "" {
		return "", errNoToken
	}
	i := 0
	for i < len(header) && header[i] != ' ' {
		i++
	}
	if !equalFoldASCII(header[:i], "bearer") {
		return "", errNoToken
	}
	for i < len(header) && header[i] == ' ' {
		i++
	}
	tok := header[i:]
	if tok == "" {
		return "", errEmptyToken
	}
	if !isB64Token(tok) {
		return "", errBadTokenChar
	}
	return decodeBase64Token(tok), nil
}

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
			break
		}
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// decodeBase64Token applies the reference's base64 rule. The cheap checks
// (length, alphabet) come first, so that JWT-like and URL-safe tokens never
// reach the decoder.
func decodeBase64Token(tok string) string {
	if len(tok)%4 != 0 {
		return tok
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c == '-' || c == '.' || c == '_' || c == '~' {
			return tok
		}
	}
	var stack [1024]byte
	var buf []byte
	if n := base64.StdEncoding.DecodedLen(len(tok)); n <= len(stack) {
		buf = stack[:n]
	} else {
		buf = make([]byte, n)
	}
	n, err := base64.StdEncoding.Strict().Decode(buf, []byte(tok))
	if err != nil || !utf8.Valid(buf[:n]) {
		return tok
	}
	return string(buf[:n])
}

func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}
