package core_test

// Helpers of the DPoP tests: a client key that signs proofs, the three
// backends a bound token can come through, and one request through the
// middleware with its answer checked byte for byte.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

const (
	// dpopExternal is the resource server's OIDC_RS_EXTERNAL_URL: no
	// request of these tests is sent to it, so a proof can only match it
	// if htu is built from the setting, never from the Host header.
	dpopExternal = "https://api.example"
	dpopPath     = "/things/1"
	dpopHTU      = dpopExternal + dpopPath
	// dpopAlgs is the algs parameter of every DPoP challenge.
	dpopAlgs = `algs="ES256 ES384 PS256 RS256 EdDSA"`
)

// dpopClient is a client's DPoP key: it signs proofs, ES256, with its
// public key embedded, as RFC 9449 section 4.2 describes.
type dpopClient struct {
	signer jose.Signer
	jkt    string // RFC 7638 thumbprint, the cnf.jkt of its tokens
}

func newDPoPClient(t testing.TB) *dpopClient {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key},
		(&jose.SignerOptions{EmbedJWK: true}).WithType("dpop+jwt"))
	require.NoError(t, err)
	tp, err := (&jose.JSONWebKey{Key: &key.PublicKey}).Thumbprint(crypto.SHA256)
	require.NoError(t, err)
	return &dpopClient{signer: signer, jkt: base64.RawURLEncoding.EncodeToString(tp)}
}

// dpopATH is the ath of token: base64url(SHA-256(token)).
func dpopATH(token string) string {
	h := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// proof signs a proof of htm and htu for token, with a fresh jti and the
// current iat; edit changes the claims before they are signed.
func (c *dpopClient) proof(t testing.TB, htm, htu, token string, edit ...func(map[string]any)) string {
	t.Helper()
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	claims := map[string]any{"jti": base64.RawURLEncoding.EncodeToString(jti[:]), "htm": htm, "htu": htu,
		"iat": time.Now().Unix(), "ath": dpopATH(token)}
	for _, e := range edit {
		e(claims)
	}
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	jws, err := c.signer.Sign(payload)
	require.NoError(t, err)
	out, err := jws.CompactSerialize()
	require.NoError(t, err)
	return out
}

// get is a proof for the GET of dpopPath that the tests send.
func (c *dpopClient) get(t testing.TB, token string, edit ...func(map[string]any)) string {
	t.Helper()
	return c.proof(t, http.MethodGet, dpopHTU, token, edit...)
}

// dpopTamper flips one bit of a compact JWS's signature.
func dpopTamper(t testing.TB, jws string) string {
	t.Helper()
	i := strings.LastIndexByte(jws, '.')
	sig, err := base64.RawURLEncoding.DecodeString(jws[i+1:])
	require.NoError(t, err)
	sig[0] ^= 1
	return jws[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// dpopBackend is a way a token is checked: introspection (JSON or RFC
// 9701 JWT answers), or locally as an RFC 9068 JWT access token.
type dpopBackend struct {
	name  string
	mode  oidcrstest.Mode
	local bool
}

var dpopBackends = []dpopBackend{
	{name: "introspection JSON", mode: oidcrstest.JSON},
	{name: "introspection JWT", mode: oidcrstest.JWT},
	{name: "local JWT", mode: oidcrstest.JSON, local: true},
}

// dpopEnv is a fake authorization server and the settings of a resource
// server that trusts it, takes DPoP at dpopExternal, has no Resource (its
// challenges carry no resource_metadata) and no cache.
type dpopEnv struct {
	as    *oidcrstest.Server
	st    core.Settings
	local bool
}

func newDPoPEnv(t testing.TB, b dpopBackend) *dpopEnv {
	t.Helper()
	as := btAS(t, b.mode)
	st := btSettings(t, as)
	if b.local {
		st = as.AccessTokenSettings()
		st.Resource, st.Audiences = "", []string{as.Resource()}
		st.DisableCache = true
	}
	st.ExternalURL = dpopExternal
	return &dpopEnv{as: as, st: st, local: b.local}
}

// rs builds a resource server from the environment's settings, edited.
func (e *dpopEnv) rs(t testing.TB, edit func(*core.Settings)) *core.ResourceServer {
	t.Helper()
	st := e.st
	if edit != nil {
		edit(&st)
	}
	rs, err := core.New(st)
	require.NoError(t, err)
	return rs
}

// token mints a token with claims overlaid on the defaults.
func (e *dpopEnv) token(claims map[string]any) string {
	if e.local {
		return e.as.MintAccessToken(claims, nil)
	}
	return e.as.Mint(claims)
}

// boundTo mints a token bound to c's key (cnf.jkt).
func (e *dpopEnv) boundTo(c *dpopClient) string {
	return e.token(map[string]any{"cnf": map[string]any{"jkt": c.jkt}})
}

// calls counts every request the authorization server received about
// tokens: introspections, and key fetches (local JWTs, RFC 9701 answers).
func (e *dpopEnv) calls() int64 { return e.as.IntrospectionCalls() + e.as.JWKSCalls() }

// dpopHandler is rs.Middleware in front of a route that answers 200 with
// the token's subject.
func dpopHandler(rs *core.ResourceServer) http.Handler {
	return rs.Middleware()(dpopRoute)
}

var dpopRoute = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	ti, ok := core.FromContext(r.Context())
	if !ok {
		http.Error(w, "no token info", http.StatusInternalServerError)
		return
	}
	_, _ = io.WriteString(w, "ok "+ti.Subject)
})

// dpopServe sends GET dpopPath to h, addressed to a host that is not
// dpopExternal, with the given Authorization and DPoP header values.
func dpopServe(h http.Handler, authorization, proofs []string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://10.1.2.3:8080"+dpopPath, nil)
	for _, a := range authorization {
		r.Header.Add("Authorization", a)
	}
	for _, p := range proofs {
		r.Header.Add("DPoP", p)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// dpopOK asserts that the request went through to the route.
func dpopOK(t testing.TB, w *httptest.ResponseRecorder) {
	t.Helper()
	assert.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "ok "+oidcrstest.DefaultSubject, w.Body.String())
	assert.Empty(t, w.Header().Values("WWW-Authenticate"))
}

// dpopRefused asserts the status, the body's error and description, and
// the one WWW-Authenticate value, byte for byte.
func dpopRefused(t testing.TB, w *httptest.ResponseRecorder, status int, code, desc, www string) {
	t.Helper()
	assert.Equal(t, status, w.Code, w.Body.String())
	var body map[string]string
	if assert.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String()) {
		assert.Equal(t, code, body["error"])
		assert.Equal(t, desc, body["error_description"])
	}
	assert.Equal(t, []string{www}, w.Header().Values("WWW-Authenticate"))
}

// dpopChallenge is the DPoP challenge with an error.
func dpopChallenge(code, desc string) string {
	return `DPoP realm="oidcrs", error="` + code + `", error_description="` + desc + `", ` + dpopAlgs
}

// bearerChallenge is the Bearer challenge with an error; offer appends
// the bare DPoP challenge (dpopOffer) that DPoPAllowed adds to a 401.
func bearerChallenge(code, desc string, offer bool) string {
	s := `Bearer realm="oidcrs", error="` + code + `", error_description="` + desc + `"`
	if offer {
		s += dpopOffer
	}
	return s
}

// The descriptions of the refusals these tests provoke.
const (
	descProof       = "Invalid DPoP proof"
	descKeyBinding  = "Invalid DPoP key binding"
	descNotBound    = "The access token is not bound to a DPoP key."
	descAsBearer    = "The access token is sender-constrained: it was sent without its proof of possession."
	descUnknownBind = "The access token is bound by a method this resource server cannot check."
	descRequired    = "This resource requires DPoP-bound access tokens."
	descNoToken     = "Authentication credentials were not provided."
)
