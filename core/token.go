package core

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// maxHeaderLength bounds the Authorization header; longer is
// invalid_request.
const maxHeaderLength = 8 << 10

// authScheme is the scheme an Authorization header uses.
type authScheme uint8

const (
	schemeBearer authScheme = iota // RFC 6750
	schemeDPoP                     // RFC 9449 section 7.1
)

// extractToken returns the token of an Authorization header value and its
// scheme: Bearer (RFC 6750 section 2.1), or DPoP (RFC 9449 section 7.1)
// when dpop is set. The scheme is case-insensitive. An empty header, or
// one with another scheme, is ErrMissingToken. A scheme without a token,
// two tokens, a character outside b64token (the syntax of both), or a
// header over maxHeaderLength is ErrInvalidRequest; the scheme is
// returned with the error once it is known, for the challenge.
//
// It then applies the reference's rule to a Bearer token: a token that is
// strict, padded, standard base64 and decodes to valid UTF-8 is replaced
// by its decoding (some clients base64-encode their tokens); any other
// token is used as is. A DPoP token is always used as is: its proof hashes
// it as sent. It allocates only to return a decoded token.
func extractToken(header string, dpop bool) (string, authScheme, error) {
	if len(header) > maxHeaderLength {
		return "", 0, errTooLong
	}
	if header == "" {
		return "", 0, errNoToken
	}
	i := 0
	for i < len(header) && header[i] != ' ' {
		i++
	}
	scheme := schemeBearer
	switch {
	case equalFoldASCII(header[:i], "bearer"):
	case dpop && equalFoldASCII(header[:i], "dpop"):
		scheme = schemeDPoP
	default:
		return "", 0, errNoToken
	}
	for i < len(header) && header[i] == ' ' {
		i++
	}
	tok := header[i:]
	if tok == "" {
		return "", scheme, errEmptyToken
	}
	ok, std := scanB64Token(tok)
	if !ok {
		if strings.IndexByte(strings.TrimRight(tok, " "), ' ') >= 0 {
			return "", scheme, errTwoTokens
		}
		return "", scheme, errBadChar
	}
	if scheme == schemeDPoP || !std || len(tok)%4 != 0 {
		return tok, scheme, nil // JWT-like and URL-safe tokens never reach the decoder
	}
	return decodeBase64Token(tok), scheme, nil
}

// b64Class classifies the bytes of RFC 6750's b64token: 1 for the standard
// base64 alphabet (ALPHA / DIGIT / "+" / "/"), 2 for the other token
// characters ("-" / "." / "_" / "~"), 0 for the rest.
var b64Class = func() (t [256]uint8) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = 1, 1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = 1
	}
	t['+'], t['/'] = 1, 1
	t['-'], t['.'], t['_'], t['~'] = 2, 2, 2, 2
	return t
}()

// scanB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=",
// and whether it keeps to the standard base64 alphabet, in one pass.
func scanB64Token(s string) (ok, std bool) {
	var seen uint8
	i := 0
	for ; i < len(s); i++ {
		c := b64Class[s[i]]
		if c == 0 {
			break
		}
		seen |= c
	}
	if i == 0 {
		return false, false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false, false
		}
	}
	return true, seen&2 == 0
}

// strictBase64 is built once: Strict returns a copy of the encoding.
var strictBase64 = base64.StdEncoding.Strict()

// decodeBase64Token applies the reference's base64 rule to a token of the
// standard alphabet whose length is a multiple of 4.
func decodeBase64Token(tok string) string {
	var stack [1024]byte
	var buf []byte
	if n := base64.StdEncoding.DecodedLen(len(tok)); n <= len(stack) {
		buf = stack[:n]
	} else {
		buf = make([]byte, n)
	}
	n, err := strictBase64.Decode(buf, []byte(tok))
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
