package adaptertest

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// dpopBase is the external URL of the withResource variant, where the
// DPoP cases run: the origin of conformanceResource. A proof's htu is it
// followed by the request's path.
const dpopBase = "https://rs.example"

// set adds cred's headers to h, for a request sent with method to path.
func (cred Credentials) set(h http.Header, method, path string) {
	for _, v := range cred.Authorization {
		h.Add("Authorization", v)
	}
	if cred.DPoP != nil {
		h["Dpop"] = cred.DPoP(method, path)
	}
}

// onDPoP is v as a DPoP request gets it: the error on the DPoP challenge,
// with algs, and no Bearer challenge.
func onDPoP(v Verdict) Verdict {
	ch := strings.TrimSuffix(v.Challenge, dpopOffer)
	v.Challenge = "DPoP " + strings.TrimPrefix(ch, "Bearer ") + `, algs="ES256 ES384 PS256 RS256 EdDSA"`
	return v
}

// dpopCreds mints a token bound to the suite's DPoP key (cnf.jkt) with
// claims and sends it with scheme, and, when proof is not nil, the DPoP
// header values proof returns for the request.
func dpopCreds(scheme string, claims map[string]any, bound bool, proof func(k *dpopKeys, token, method, uri string) []string) func(*testing.T, *oidcrstest.Server) Credentials {
	return func(t *testing.T, as *oidcrstest.Server) Credentials {
		k := suiteKeys(t)
		c := map[string]any{"aud": conformanceResource}
		maps.Copy(c, claims)
		if bound {
			c["cnf"] = map[string]any{"jkt": k.thumbprint}
		}
		token := as.Mint(c)
		cred := Credentials{Authorization: []string{scheme + " " + token}}
		if proof != nil {
			cred.DPoP = func(method, path string) []string { return proof(k, token, method, dpopBase+path) }
		}
		return cred
	}
}

// The proofs of the DPoP cases.
var (
	goodProof = func(k *dpopKeys, token, method, uri string) []string {
		return []string{k.proof(k.key, method, uri, token)}
	}
	otherKeyProof = func(k *dpopKeys, token, method, uri string) []string {
		return []string{k.proof(k.other, method, uri, token)}
	}
	wrongMethodProof = func(k *dpopKeys, token, _, uri string) []string {
		return []string{k.proof(k.key, http.MethodDelete, uri, token)}
	}
	wrongURIProof = func(k *dpopKeys, token, method, _ string) []string {
		return []string{k.proof(k.key, method, dpopBase+"/elsewhere", token)}
	}
	twoProofs = func(k *dpopKeys, token, method, uri string) []string {
		return []string{k.proof(k.key, method, uri, token), k.proof(k.key, method, uri, token)}
	}
	noProof = func(*dpopKeys, string, string, string) []string { return nil }
)

// dpopCases are the cases of DPoP-bound tokens (RFC 9449): every transport
// takes the proof from its DPoP header or metadata, checks it against its
// own method and path, and answers a refusal on the DPoP challenge.
func dpopCases() []conformanceCase {
	badProof := onDPoP(pointing(failure(http.StatusUnauthorized, "invalid_dpop_proof", descInvalidProof, "")))
	groups := map[string]any{"scope": "groups"}
	return []conformanceCase{
		{name: "dpop: valid proof", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, true, goodProof), want: valid},
		{name: "dpop: scheme in lower case", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("dpop", groups, true, goodProof), want: valid},
		{name: "dpop: no proof", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, true, noProof), want: badProof},
		{name: "dpop: two proofs", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, true, twoProofs), want: badProof},
		{name: "dpop: proof for another method", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, true, wrongMethodProof), want: badProof},
		{name: "dpop: proof for another URI", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, true, wrongURIProof), want: badProof},
		{name: "dpop: proof by another key", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, true, otherKeyProof),
			want:  onDPoP(pointing(failure(http.StatusUnauthorized, "invalid_token", descKeyBinding, "")))},
		{name: "dpop: bound token sent as Bearer", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("Bearer", groups, true, nil),
			want:  pointing(failure(http.StatusUnauthorized, "invalid_token", descBoundAsBearer, ""))},
		{name: "dpop: unbound token with the DPoP scheme", variant: withResource, path: ConformanceProtected,
			creds: dpopCreds("DPoP", groups, false, goodProof),
			want:  onDPoP(pointing(failure(http.StatusUnauthorized, "invalid_token", descNotBound, "")))},
		{name: "dpop: route's scope refused", variant: withResource, path: ConformanceAnyScope,
			creds: dpopCreds("DPoP", groups, true, goodProof),
			want:  onDPoP(pointing(failure(http.StatusForbidden, "insufficient_scope", descInsufficientScope, "groups admin ops")))},
	}
}
