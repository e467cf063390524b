package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/algs"
	"github.com/oidcrs/oidcrs/internal/httpclient"
	"github.com/oidcrs/oidcrs/internal/wellknown"
)

// checkDiscovery reads the metadata as core does (the same URLs, in the
// same order), checks that its issuer is OIDC_OP_URL exactly, and that it
// names the endpoints that the settings leave out.
func (c *checker) checkDiscovery(needIntro, needKeys bool) (wellknown.Metadata, step) {
	st := step{Step: "discovery"}
	var m *wellknown.Metadata
	var tried []string
	var found string
	for _, u := range wellknown.URLs(c.s.Issuer) {
		body, err := c.get(u)
		if err == nil {
			m, err = wellknown.Decode(body)
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
		return wellknown.Metadata{}, st
	case m.Issuer != c.s.Issuer:
		st.Detail = fmt.Sprintf("%s names the issuer %q, not OIDC_OP_URL %q", found, m.Issuer, c.s.Issuer)
		st.Hint = "set OIDC_OP_URL to the issuer exactly as the AS names it (a trailing slash counts)"
		return wellknown.Metadata{}, st
	}
	lines := []string{found + ": issuer is OIDC_OP_URL"}
	var missing []string
	for _, ep := range []struct {
		need             bool
		name, value, env string
	}{{needIntro, "introspection_endpoint", m.IntrospectionEndpoint, "OIDC_OP_INTROSPECTION_ENDPOINT"}, {needKeys, "jwks_uri", m.JWKSURI, "OIDC_OP_JWKS_ENDPOINT"}} {
		if ep.need {
			lines = append(lines, ep.name+" "+orNone(ep.value))
			if ep.value == "" {
				missing = append(missing, ep.env)
			}
		}
	}
	st.Detail = strings.Join(lines, "\n")
	if len(missing) > 0 {
		st.Hint = "the metadata lacks an endpoint: set " + strings.Join(missing, " and ")
		return *m, st
	}
	st.OK = true
	return *m, st
}

// checkASKeys fetches the AS's signing keys, reads them as core does (a
// JWK set; keys for "sig" or of no use, public and valid), lists each, and
// checks that one of the algs of OIDC_RS_SIGNING_ALGO is offered.
func (c *checker) checkASKeys(u string) step {
	st := step{Step: "AS JWKS"}
	hint := "check OIDC_OP_JWKS_ENDPOINT (the AS's jwks_uri), the network and the proxy"
	body, err := c.get(u)
	var set jose.JSONWebKeySet
	if err == nil && json.Unmarshal(body, &set) != nil {
		err = errors.New("not a valid JWK set (oidcrs refuses it whole)")
	}
	if err != nil {
		st.Detail, st.Hint = fmt.Sprintf("%s: %v", u, err), hint
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
	wanted, _ := algs.ParseSigning(c.s.SigningAlgorithm) // Validate parsed it
	for _, alg := range wanted {
		if slices.ContainsFunc(usable, func(k jose.JSONWebKey) bool { return offers(k, alg) }) {
			offered = append(offered, string(alg))
		} else {
			absent = append(absent, string(alg))
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

// keyType names a JWK's kty, and its curve.
func keyType(k jose.JSONWebKey) string {
	switch key := k.Key.(type) {
	case *rsa.PublicKey, *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC " + key.Curve.Params().Name
	case *ecdsa.PrivateKey:
		return "EC " + key.Curve.Params().Name
	case ed25519.PublicKey:
		return "OKP Ed25519"
	}
	return fmt.Sprintf("%T", k.Key)
}

// offers reports whether a key can verify alg: its alg when it names one,
// else its type (and curve).
func offers(k jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	if k.Algorithm != "" {
		return k.Algorithm == string(alg)
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(string(alg), "RS") || strings.HasPrefix(string(alg), "PS")
	case *ecdsa.PublicKey:
		return string(alg) == map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[key.Curve.Params().Name]
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// get fetches u with the settings' client, as core fetches metadata and
// keys, and returns its 200 body. Its error says what went wrong without
// the URL's query or credentials.
func (c *checker) get(u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.client.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, errors.New("not a valid URL")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		if err = httpclient.TransportError(err); errors.Is(err, httpclient.ErrTimedOut) {
			return nil, errors.New("no answer before the timeout (OIDC_TIMEOUT)")
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered %d, not 200", resp.StatusCode)
	}
	return httpclient.ReadLimited(resp.Body)
}
