package core

import (
	"fmt"
	"strings"
)

// jwtTypes is a set of JWS typ values accepted on JWT access tokens
// checked locally (Settings.JWTTypes). RFC 9068 asks for at+jwt; many
// servers send JWT, or no typ at all.
type jwtTypes uint8

const (
	typAccessToken jwtTypes = 1 << iota // at+jwt, or application/at+jwt
	typJWT                              // JWT, or application/jwt
	typNone                             // no typ header
)

// defaultJWTType is the only typ accepted unless Settings.JWTTypes says
// otherwise.
const defaultJWTType = "at+jwt"

// parseJWTTypes reads the setting's values: at+jwt, application/at+jwt,
// JWT, application/jwt and none, in any case. An empty list is at+jwt.
func parseJWTTypes(vals []string) (jwtTypes, error) {
	if len(vals) == 0 {
		return typAccessToken, nil
	}
	var t jwtTypes
	for _, v := range vals {
		switch {
		case strings.EqualFold(v, "none"):
			t |= typNone
		case mediaTypeOf(v) != 0:
			t |= mediaTypeOf(v)
		default:
			return 0, fmt.Errorf("unknown type %q (at+jwt, application/at+jwt, JWT, application/jwt or none)", v)
		}
	}
	return t, nil
}

// mediaTypeOf compares typ as RFC 7515 section 4.1.9 asks: without regard
// to case, and with its "application/" prefix optional.
func mediaTypeOf(typ string) jwtTypes {
	switch strings.TrimPrefix(strings.ToLower(typ), "application/") {
	case "at+jwt":
		return typAccessToken
	case "jwt":
		return typJWT
	}
	return 0
}

// headerType classifies a protected header's typ: absent is typNone, any
// value but a string naming at+jwt or JWT is 0, accepted by no set.
func headerType(typ any, present bool) jwtTypes {
	if !present {
		return typNone
	}
	s, ok := typ.(string)
	if !ok {
		return 0
	}
	return mediaTypeOf(s)
}

// accepts reports whether a token of class typ is accepted.
func (t jwtTypes) accepts(typ jwtTypes) bool { return typ != 0 && t&typ != 0 }

// idTokensPossible reports whether the set lets through a typ that ID
// tokens use too (anything but at+jwt): their claims must then tell the
// two apart.
func (t jwtTypes) idTokensPossible() bool { return t&^typAccessToken != 0 }

// name is the class's name in logs.
func (t jwtTypes) name() string {
	switch t {
	case typAccessToken:
		return "at+jwt"
	case typJWT:
		return "JWT"
	case typNone:
		return "none"
	}
	return "other"
}
