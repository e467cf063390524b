package dpop

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// Base is the external base URL of the resource server: the scheme, host and
// port that clients use, as configured, never read from a request's Host
// header. Build it with ParseBase.
type Base struct {
	origin string // normalised scheme://host[:port], no trailing slash
}

// ParseBase checks raw, an absolute http or https URL with a host and nothing
// else: no user information, query, fragment, or path other than "/". A proxy
// that adds or strips a path prefix would make the htu ambiguous, so a path is
// refused rather than guessed.
func ParseBase(raw string) (*Base, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("dpop: external URL does not parse")
	}
	if u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, errors.New("dpop: external URL must be scheme://host[:port] only")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("dpop: external URL must not have a path")
	}
	origin, ok := normaliseOrigin(u)
	if !ok {
		return nil, errors.New("dpop: external URL must be an absolute http or https URL with a host")
	}
	return &Base{origin: origin}, nil
}

// URI returns the request's URI, as htu must name it, for a request whose
// escaped path is escapedPath (net/http's r.URL.EscapedPath()). An empty path
// is "/". ok is false when the path does not start with "/" (an
// authority-form or asterisk-form request target), which no proof can match.
func (b *Base) URI(escapedPath string) (uri string, ok bool) {
	if escapedPath == "" {
		escapedPath = "/"
	}
	if !strings.HasPrefix(escapedPath, "/") {
		return "", false
	}
	return b.origin + normalisePercent(escapedPath), true
}

// normaliseHTU applies RFC 3986 section 6.2.2 and 6.2.3 normalisation to an
// htu claim, dropping query and fragment (RFC 9449 section 4.3, check 9).
func normaliseHTU(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", false
	}
	origin, ok := normaliseOrigin(u)
	if !ok {
		return "", false
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return origin + normalisePercent(path), true
}

// normaliseOrigin lower-cases scheme and host and drops the scheme's default
// port. Only http and https are accepted.
func normaliseOrigin(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", false
	}
	port := u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(host, port), true
	}
	if strings.Contains(host, ":") { // an IPv6 literal keeps its brackets
		host = "[" + host + "]"
	}
	return scheme + "://" + host, true
}

// normalisePercent upper-cases percent-encoding hex digits and decodes the
// octets that are unreserved characters (RFC 3986 section 6.2.2.1, 6.2.2.2).
func normalisePercent(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			c := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(c) {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteString(strings.ToUpper(p[i+1 : i+3]))
			}
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
