// Package wellknown holds what core's discovery and the oidcrs command's
// check share of an authorization server's metadata: where it is published
// and the part of the document oidcrs reads.
package wellknown

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
)

// Metadata is the part of an authorization server's metadata (OpenID
// Connect discovery, RFC 8414) that oidcrs uses.
type Metadata struct {
	Issuer                string `json:"issuer"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	// IntrospectionAuthMethods are the client authentication methods the
	// introspection endpoint accepts (RFC 8414 section 2); nil when the
	// document has no list.
	IntrospectionAuthMethods []string `json:"introspection_endpoint_auth_methods_supported"`
}

// URLs are the metadata URLs of issuer, in the order to try them: OpenID
// Connect discovery appends to the issuer; RFC 8414 section 3 inserts
// before its path.
func URLs(issuer string) []string {
	out := []string{strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"}
	if u, err := url.Parse(issuer); err == nil {
		u.Path = "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		out = append(out, u.String())
	}
	return out
}

// ErrNotObject is the error of a metadata body that is not a JSON object.
var ErrNotObject = errors.New("the metadata is not a JSON object")

// Decode reads a metadata document.
func Decode(body []byte) (*Metadata, error) {
	var m Metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, ErrNotObject
	}
	return &m, nil
}

// ErrIssuerMismatch is the error of a metadata document that names another
// issuer than the one it was read for.
var ErrIssuerMismatch = errors.New("the discovered issuer is not OIDC_OP_URL")

// Find reads issuer's metadata with get from URLs(issuer), in order, and
// returns the first document read and the URL it came from. A document
// naming another issuer, exactly, is returned with ErrIssuerMismatch.
// Without a document, the error is the last URL's.
func Find(ctx context.Context, issuer string, get func(context.Context, string) (*Metadata, error)) (*Metadata, string, error) {
	var err error
	for _, u := range URLs(issuer) {
		var m *Metadata
		if m, err = get(ctx, u); err != nil {
			continue
		}
		if m.Issuer != issuer {
			return m, u, ErrIssuerMismatch
		}
		return m, u, nil
	}
	return nil, "", err
}
