package core

import "strings"

// challenge builds a Bearer challenge (RFC 6750 section 3): realm, then
// resource_metadata (RFC 9728 section 5.1) when there is a resource, then
// the error, its description and the scope. Its inputs are library
// constants, validated settings and scopes, a URL built from the validated
// resource and sanitised upstream descriptions, none of which holds a
// quote or a backslash; each value is still written as an RFC 9110
// quoted-string (quoteTo), so that no input can ever end one early.
func challenge(realm, meta, code, desc, scope string) string {
	var b strings.Builder
	writeChallenge(&b, "Bearer", realm, meta, code, desc, scope)
	return b.String()
}

// writeChallenge writes challenge's parameters after scheme to b.
func writeChallenge(b *strings.Builder, scheme, realm, meta, code, desc, scope string) {
	b.WriteString(scheme)
	b.WriteString(` realm=`)
	quoteTo(b, realm)
	if meta != "" {
		b.WriteString(`, resource_metadata=`)
		quoteTo(b, meta)
	}
	if code != "" {
		b.WriteString(`, error=`)
		quoteTo(b, code)
		if desc != "" {
			b.WriteString(`, error_description=`)
			quoteTo(b, desc)
		}
	}
	if scope != "" {
		b.WriteString(`, scope=`)
		quoteTo(b, scope)
	}
}

// quoteTo writes s to b as a quoted-string (RFC 9110 section 5.6.4, which
// RFC 6750 and RFC 7235 auth-params use): a quote or a backslash becomes a
// quoted-pair, and a byte no quoted-string may hold (a control character
// but HTAB, DEL) is left out.
func quoteTo(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
