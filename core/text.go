package core

// printable reports whether s is non-empty printable ASCII without a
// double quote or backslash, so that it can be quoted in a
// WWW-Authenticate header without escaping. With space false, 0x20 is
// refused too (an RFC 6749 scope-token). It is the one character check
// behind scope tokens, the realm and upstream descriptions.
func printable(s string, space bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || (c == ' ' && !space) {
			return false
		}
	}
	return true
}

// validScopeToken reports whether s is an RFC 6749 scope-token.
func validScopeToken(s string) bool { return printable(s, false) }

// validRealm reports whether s can be the realm of a Bearer challenge.
func validRealm(s string) bool { return s == "" || printable(s, true) }

// maxUpstreamDescription bounds an authorization server's
// error_description passed on to the client.
const maxUpstreamDescription = 200

// sanitizeDescription keeps an upstream error_description only when it is
// printable and short.
func sanitizeDescription(s string) (string, bool) {
	if len(s) > maxUpstreamDescription || !printable(s, true) {
		return "", false
	}
	return s, true
}
