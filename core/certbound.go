package core

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// Certificate-bound access tokens (RFC 8705 section 3): a token whose cnf
// names x5t#S256 is good only on a request whose client presented that
// certificate, on its own TLS connection or, behind a TLS-terminating
// proxy, in Settings.ClientCertHeader. checkBinding decides; this file
// finds the thumbprint it compares.

// certThumbprint returns the x5t#S256 of the client certificate req
// presented when b binds its token to one, "" otherwise: the hash is taken
// for certificate-bound tokens only. "" also means no certificate, or a
// forwarded one that is absent, repeated or malformed: the token is then
// refused.
func (rs *ResourceServer) certThumbprint(b *binding, req *Request) string {
	if b == nil || b.x5t == "" {
		return ""
	}
	der := clientCertDER(req, rs.settings.ClientCertHeader)
	if len(der) == 0 {
		return ""
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// clientCertDER returns the DER of the leaf certificate the client of req
// presented: from the header named header when it is set (the TLS
// connection, then the proxy's, is ignored), else from req.TLS.
func clientCertDER(req *Request, header string) []byte {
	if header == "" {
		if req.TLS == nil || len(req.TLS.PeerCertificates) == 0 {
			return nil
		}
		return req.TLS.PeerCertificates[0].Raw
	}
	v := headerValues(req.Header, header)
	if len(v) != 1 {
		return nil // none, or two: which one the proxy wrote is unknown
	}
	return forwardedCertDER(v[0])
}

// headerValues returns the values of the field name of h, whose keys are
// canonical (net/http) or lower case (gRPC metadata).
func headerValues(h http.Header, name string) []string {
	if v, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return v
	}
	return h[strings.ToLower(name)]
}

// forwardedCertDER decodes a forwarded client certificate: URL-encoded PEM
// (nginx's $ssl_client_escaped_cert, AWS ALB's X-Amzn-Mtls-Clientcert),
// whose first block must be a CERTIFICATE, or base64 DER, URL-encoded or
// not (Traefik, HAProxy's ssl_c_der,base64, Caddy). Envoy's
// X-Forwarded-Client-Cert, a list of key=value pairs, is not read. nil
// when v is none of these.
func forwardedCertDER(v string) []byte {
	// PathUnescape, not QueryUnescape: a "+" of base64 stays a "+".
	v, err := url.PathUnescape(strings.TrimSpace(v))
	if err != nil || v == "" {
		return nil
	}
	if strings.HasPrefix(v, "-----BEGIN") {
		block, _ := pem.Decode([]byte(v))
		if block == nil || block.Type != "CERTIFICATE" {
			return nil
		}
		return block.Bytes
	}
	der, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	return der
}

// validHeaderName reports whether s is a header field name: an RFC 9110
// token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
