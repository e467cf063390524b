package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcrs/oidcrs/internal/algs"
	"github.com/oidcrs/oidcrs/internal/httpclient"
	"github.com/oidcrs/oidcrs/internal/jwkset"
	"github.com/oidcrs/oidcrs/internal/wellknown"
)

// checkDiscovery reads the metadata with core's own walk (wellknown.Find)
// and checks that it names the endpoints that the settings leave out.
func (c *checker) checkDiscovery(needIntro, needKeys bool) (wellknown.Metadata, step) {
	st := step{Step: "discovery"}
	get := func(ctx context.Context, u string) (*wellknown.Metadata, error) {
		r, err := httpclient.GetJSON(ctx, c.client, c.client.Timeout, u, "application/json")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		return wellknown.Decode(r.Body)
	}
	m, u, err := wellknown.Find(c.ctx, c.s.Issuer, get)
	switch {
	case errors.Is(err, wellknown.ErrIssuerMismatch):
		st.Detail = fmt.Sprintf("%s names the issuer %q, not OIDC_OP_URL %q", u, m.Issuer, c.s.Issuer)
		st.Hint = "set OIDC_OP_URL to the issuer exactly as the AS names it (a trailing slash counts)"
		return wellknown.Metadata{}, st
	case err != nil:
		st.Detail = "no metadata: " + err.Error()
		st.Hint = "check OIDC_OP_URL (the issuer, as the AS names itself), the network and the proxy\n" +
			"(OIDC_PROXY, HTTPS_PROXY); or set OIDC_OP_INTROSPECTION_ENDPOINT and OIDC_OP_JWKS_ENDPOINT"
		return wellknown.Metadata{}, st
	}
	st.Detail = fmt.Sprintf("%s: issuer is OIDC_OP_URL\nintrospection_endpoint %q, jwks_uri %q", u, m.IntrospectionEndpoint, m.JWKSURI)
	if st.OK = (!needIntro || m.IntrospectionEndpoint != "") && (!needKeys || m.JWKSURI != ""); !st.OK {
		st.Hint = "the metadata lacks an endpoint: set OIDC_OP_INTROSPECTION_ENDPOINT or OIDC_OP_JWKS_ENDPOINT, as empty above"
	}
	return *m, st
}

// checkASKeys fetches the AS's signing keys and keeps those core keeps
// (jwkset.Signing), then checks that one of the algs of
// OIDC_RS_SIGNING_ALGO is offered.
func (c *checker) checkASKeys(u string) step {
	st := step{Step: "AS JWKS"}
	r, err := httpclient.GetJSON(c.ctx, c.client, c.client.Timeout, u, "application/jwk-set+json, application/json")
	var keys []jose.JSONWebKey
	if err == nil {
		keys, err = jwkset.Signing(r.Body)
	}
	if err != nil {
		st.Detail = fmt.Sprintf("%s: %v", u, err)
		st.Hint = "check OIDC_OP_JWKS_ENDPOINT (the AS's jwks_uri), the network and the proxy"
		return st
	}
	var offered, absent []string
	wanted, _ := algs.ParseSigning(c.s.SigningAlgorithm) // Validate parsed it
	for _, alg := range wanted {
		if slices.ContainsFunc(keys, func(k jose.JSONWebKey) bool { return offers(k, alg) }) {
			offered = append(offered, string(alg))
		} else {
			absent = append(absent, string(alg))
		}
	}
	st.Detail = fmt.Sprintf("%s: %d signing key(s)\nOIDC_RS_SIGNING_ALGO offered %v, not offered %v", u, len(keys), offered, absent)
	if st.OK = len(offered) > 0; !st.OK {
		st.Hint = "set OIDC_RS_SIGNING_ALGO to an alg the AS signs with (for the jwt backend, the client's\n" +
			"introspection_signed_response_alg at the AS)"
	}
	return st
}

// offers reports whether a key can verify alg: its alg when it names one,
// else its type (and curve).
func offers(k jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	if k.Algorithm != "" {
		return k.Algorithm == string(alg)
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return alg[0] == 'R' || alg[0] == 'P'
	case *ecdsa.PublicKey:
		return alg == map[int]jose.SignatureAlgorithm{256: jose.ES256, 384: jose.ES384, 521: jose.ES512}[key.Params().BitSize]
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}
