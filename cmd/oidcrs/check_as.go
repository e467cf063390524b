package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// asMetadata is the part of the authorization server's metadata that
// oidcrs uses.
type asMetadata struct {
	Issuer                string `json:"issuer"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// checkDiscovery reads the metadata as core does (OpenID Connect
// discovery, then RFC 8414), checks that its issuer is OIDC_OP_URL
// exactly, and that it names the endpoints that the settings leave out.
func (c *checker) checkDiscovery(needIntro, needKeys bool) (asMetadata, step) {
	st := step{Step: "discovery"}
	var m asMetadata
	var tried []string
	var found string
	for _, u := range wellKnownURLs(c.s.Issuer) {
		body, err := c.get(u)
		if err == nil {
			if err = json.Unmarshal(body, &m); err != nil {
				err = fmt.Errorf("not a JSON object")
			}
		}
		if err == nil {
			found = u
			break
		}
		tried = append(tried, fmt.Sprintf("%s: %v", u, err))
	}
	switch {
	case found == "":
		st.Detail = "no metadata:\n" + strings.Join(tried, "\n")
		st.Hint = "check OIDC_OP_URL (the issuer, as the AS names itself), the network and the proxy\n" +
			"(OIDC_PROXY, HTTPS_PROXY); or set OIDC_OP_INTROSPECTION_ENDPOINT and OIDC_OP_JWKS_ENDPOINT"
		return asMetadata{}, st
	case m.Issuer != c.s.Issuer:
		st.Detail = fmt.Sprintf("%s names the issuer %q, not OIDC_OP_URL %q", found, m.Issuer, c.s.Issuer)
		st.Hint = "set OIDC_OP_URL to the issuer exactly as the AS names it (a trailing slash counts)"
		return asMetadata{}, st
	}
	lines := []string{found + ": issuer is OIDC_OP_URL"}
	var missing []string
	if needIntro {
		lines = append(lines, "introspection_endpoint "+orNone(m.IntrospectionEndpoint))
		if m.IntrospectionEndpoint == "" {
			missing = append(missing, "OIDC_OP_INTROSPECTION_ENDPOINT")
		}
	}
	if needKeys {
		lines = append(lines, "jwks_uri "+orNone(m.JWKSURI))
		if m.JWKSURI == "" {
			missing = append(missing, "OIDC_OP_JWKS_ENDPOINT")
		}
	}
	st.Detail = strings.Join(lines, "\n")
	if len(missing) > 0 {
		st.Hint = "the metadata lacks an endpoint: set " + strings.Join(missing, " and ")
		return m, st
	}
	st.OK = true
	return m, st
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// wellKnownURLs are the metadata URLs of an issuer, in core's order.
func wellKnownURLs(issuer string) []string {
	out := []string{strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"}
	if u, err := url.Parse(issuer); err == nil {
		u.Path = "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		out = append(out, u.String())
	}
	return out
}

// checkASKeys fetches the AS's signing keys, reads them as core does (a
// JWK set; keys for "sig" or of no use, public and valid), lists each, and
// checks that one of the algs of OIDC_RS_SIGNING_ALGO is offered.
func (c *checker) checkASKeys(u string) step {
	st := step{Step: "AS JWKS"}
	hint := "check OIDC_OP_JWKS_ENDPOINT (the AS's jwks_uri), the network and the proxy"
	body, err := c.get(u)
	if err != nil {
		st.Detail, st.Hint = fmt.Sprintf("%s: %v", u, err), hint
		return st
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		st.Detail, st.Hint = u+": not a valid JWK set (oidcrs refuses it whole)", hint
		return st
	}
	lines := []string{fmt.Sprintf("%s: %d key(s)", u, len(set.Keys))}
	var usable []jose.JSONWebKey
	for _, k := range set.Keys {
		line := "  " + joinNonEmpty(keyType(k), k.Algorithm, "kid "+orNone(k.KeyID))
		switch {
		case k.Use != "" && k.Use != "sig":
			line += " (use " + k.Use + ": not for signatures, ignored)"
		case !k.IsPublic() || !k.Valid():
			line += " (not a valid public key, ignored)"
		default:
			usable = append(usable, k)
		}
		lines = append(lines, line)
	}
	var offered, absent []string
	for _, alg := range signingAlgs(c.s.SigningAlgorithm) {
		if slices.ContainsFunc(usable, func(k jose.JSONWebKey) bool { return offers(k, alg) }) {
			offered = append(offered, alg)
		} else {
			absent = append(absent, alg)
		}
	}
	if len(offered) > 0 {
		lines = append(lines, "OIDC_RS_SIGNING_ALGO offered: "+strings.Join(offered, " "))
	}
	if len(absent) > 0 {
		lines = append(lines, "OIDC_RS_SIGNING_ALGO not offered: "+strings.Join(absent, " "))
	}
	st.Detail = strings.Join(lines, "\n")
	switch {
	case len(usable) == 0:
		st.Hint = "the AS publishes no usable signing key: " + hint
	case len(offered) == 0:
		st.Hint = "set OIDC_RS_SIGNING_ALGO to an alg the AS signs with (for the jwt backend, the client's\n" +
			"introspection_signed_response_alg at the AS)"
	default:
		st.OK = true
	}
	return st
}

// signingAlgs splits OIDC_RS_SIGNING_ALGO as core does; RS256 when empty.
func signingAlgs(v string) []string {
	algs := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(algs) == 0 {
		return []string{"RS256"}
	}
	return algs
}

// keyType names a JWK's kty, and its curve.
func keyType(k jose.JSONWebKey) string {
	switch key := k.Key.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC " + key.Curve.Params().Name
	case ed25519.PublicKey:
		return "OKP Ed25519"
	}
	return fmt.Sprintf("%T", k.Key)
}

// offers reports whether a key can verify alg: its alg when it names one,
// else its type (and curve).
func offers(k jose.JSONWebKey, alg string) bool {
	if k.Algorithm != "" {
		return k.Algorithm == alg
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return alg == map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[key.Curve.Params().Name]
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// get fetches u with the settings' client and timeout.
func (c *checker) get(u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.client.Timeout)
	defer cancel()
	return get(ctx, c.client, u)
}
