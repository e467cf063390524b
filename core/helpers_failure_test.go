package core_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The harness the fault, attack and leak tables run on: one kit
// authorization server per backend, a resource server per case, and a
// log capture.

// keySet holds the keys generated once per test binary (RSA key
// generation is slow under -race).
type keySet struct {
	rsPEM       string
	rsPub       jose.JSONWebKey // the resource server's public key, kid set
	other       jose.JSONWebKey // an unrelated RSA private key
	otherPub    jose.JSONWebKey
	secretParts []string // PEM body lines and the private numbers
}

var testKeys = sync.OnceValue(func() *keySet {
	pemText, err := oidcrstest.GenerateRSAKeyPEM(2048)
	if err != nil {
		panic(err)
	}
	otherPEM, err := oidcrstest.GenerateRSAKeyPEM(2048)
	if err != nil {
		panic(err)
	}
	rs, err := core.ParsePrivateKeys(pemText, "RSA")
	if err != nil {
		panic(err)
	}
	other, err := core.ParsePrivateKeys(otherPEM, "RSA")
	if err != nil {
		panic(err)
	}
	k := &keySet{rsPEM: pemText, rsPub: rs[0].Public(), other: other[0], otherPub: other[0].Public()}
	k.rsPub.Algorithm, k.otherPub.Algorithm = string(jose.RSA_OAEP), string(jose.RSA_OAEP)
	for _, line := range strings.Split(pemText, "\n") {
		if line != "" && !strings.HasPrefix(line, "-----") {
			k.secretParts = append(k.secretParts, line)
		}
	}
	priv := rs[0].Key.(*rsa.PrivateKey)
	for _, n := range append([]*big.Int{priv.D}, priv.Primes...) {
		k.secretParts = append(k.secretParts, n.String(),
			base64.RawURLEncoding.EncodeToString(n.Bytes()), base64.StdEncoding.EncodeToString(n.Bytes()))
	}
	return k
})

// harness is a kit authorization server, shared by the cases of one
// backend, with a distinctive client secret.
type harness struct {
	mode   oidcrstest.Mode
	as     *oidcrstest.Server
	secret string
}

func newHarness(t testing.TB, mode oidcrstest.Mode) *harness {
	secret := "cs-" + randomString(32)
	as := oidcrstest.Start(t, oidcrstest.Config{Mode: mode, ClientSecret: secret, RSKey: &testKeys().rsPub})
	return &harness{mode: mode, as: as, secret: secret}
}

// settings trusts the kit, with the RSA key and a one-second timeout.
func (h *harness) settings() core.Settings {
	st := h.as.Settings(testKeys().rsPEM)
	st.KeyType = "RSA"
	// Wide: a busy machine must not turn a working call into a timeout.
	// The cases about a slow AS set their own short timeout (slowAS).
	st.Timeout = 30 * time.Second
	return st
}

// probe is what a case arranges: the settings and options of its resource
// server and the Authorization header values it sends (default: one fresh
// good token).
type probe struct {
	settings core.Settings
	opts     []core.Option
	headers  []string
}

func (p *probe) bearer(tok string) { p.headers = []string{"Bearer " + tok} }

// skew sets the resource server's clock d away from the AS's, with leeway.
func (p *probe) skew(d, leeway time.Duration) {
	p.opts = append(p.opts, core.WithClock(func() time.Time { return time.Now().Add(d) }))
	p.settings.Leeway = leeway
}

// failureCase is one row of the fault and attack tables.
type failureCase struct {
	name       string
	only       oidcrstest.Mode // "" for both backends
	arrange    func(*testing.T, *harness, *probe)
	status     int    // 200 for the control cases that must pass
	code       string // error code when not the status's usual one
	desc       string
	retryAfter string
	noCall     bool // the AS must not be asked
	asked      bool // the AS must be asked exactly once
}

type outcome struct {
	rec     *httptest.ResponseRecorder
	elapsed time.Duration
	reached bool
	calls   int64
	logs    *logCapture
	secrets func() []string
	timeout time.Duration
}

// runTable runs cases against one kit per backend and checks each answer.
func runTable(t *testing.T, cases []failureCase) {
	runEach(t, cases, func(t *testing.T, c failureCase, out outcome) { c.check(t, out) })
}

// runEach runs every case that applies to a backend, one after the other
// against that backend's kit, the two backends in parallel.
func runEach(t *testing.T, cases []failureCase, check func(*testing.T, failureCase, outcome)) {
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, mode)
			for _, c := range cases {
				if c.only == "" || c.only == mode {
					t.Run(c.name, func(t *testing.T) { check(t, c, h.run(t, c)) })
				}
			}
		})
	}
}

// run builds a resource server for c and sends one request through its
// Middleware.
func (h *harness) run(t *testing.T, c failureCase) outcome {
	t.Cleanup(func() { h.as.SetFault(nil); h.as.SetJWKSFault(nil); h.as.SetAnswerFunc(nil) })
	p := &probe{settings: h.settings()}
	c.arrange(t, h, p)
	if p.headers == nil {
		p.bearer(h.as.Mint(nil))
	}
	logs := &logCapture{}
	rs, err := core.New(p.settings, append(p.opts, core.WithLogger(logs.logger()))...)
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodGet, "/resource", nil)
	for _, v := range p.headers {
		req.Header.Add("Authorization", v)
	}
	out := outcome{rec: httptest.NewRecorder(), logs: logs, timeout: p.settings.Timeout}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, out.reached = core.FromContext(r.Context())
	})
	before := h.as.IntrospectionCalls()
	start := time.Now()
	rs.Middleware()(next).ServeHTTP(out.rec, req)
	out.elapsed = time.Since(start)
	out.calls = h.as.IntrospectionCalls() - before
	out.secrets = func() []string {
		s := append([]string{h.secret, p.settings.ClientSecret}, testKeys().secretParts...)
		for _, v := range p.headers {
			s = append(s, v, strings.TrimSpace(v[min(len(v), len("Bearer ")):]))
		}
		return s
	}
	return out
}

var usualCode = map[int]string{400: "invalid_request", 401: "invalid_token", 403: "insufficient_scope",
	502: "server_error", 503: "temporarily_unavailable"}

// check asserts the documented answer: status, error code, description,
// challenge and Retry-After, the handler never reached on failure, and an
// answer within the timeout plus a generous margin.
func (c failureCase) check(t *testing.T, out outcome) {
	t.Helper()
	assert.Less(t, out.elapsed, out.timeout+3*time.Second, "answered within the timeout plus margin")
	if c.noCall {
		assert.Zero(t, out.calls, "the authorization server must not be asked")
	}
	if c.asked {
		assert.EqualValues(t, 1, out.calls, "the authorization server must be asked")
	}
	require.Equal(t, c.status, out.rec.Code, "body: %s", out.rec.Body)
	if c.status == 200 {
		assert.True(t, out.reached, "the handler sees the token")
		return
	}
	assert.False(t, out.reached, "fail closed: the handler must not run")
	var body core.ErrorBody
	require.NoError(t, json.Unmarshal(out.rec.Body.Bytes(), &body))
	code := c.code
	if code == "" {
		code = usualCode[c.status]
	}
	assert.Equal(t, code, body.Error)
	assert.Equal(t, c.desc, body.Description)
	www := out.rec.Header().Get("WWW-Authenticate")
	switch {
	case c.status >= 500:
		assert.Empty(t, www, "no challenge when the AS failed")
	case code == "unauthorized":
		assert.Equal(t, `Bearer realm="oidcrs"`, www)
	case c.status == 403:
		assert.Equal(t, `Bearer realm="oidcrs", error="`+code+`", error_description="`+c.desc+`", scope="`+oidcrstest.DefaultScope+`"`, www)
	default:
		assert.Equal(t, `Bearer realm="oidcrs", error="`+code+`", error_description="`+c.desc+`"`, www)
	}
	assert.Equal(t, c.retryAfter, out.rec.Header().Get("Retry-After"))
	assert.Equal(t, "no-store", out.rec.Header().Get("Cache-Control"))
}

// logCapture records everything a Debug logger writes.
type logCapture struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

func (l *logCapture) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	return l.buf.Write(p)
}

func (l *logCapture) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (l *logCapture) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }

func (l *logCapture) records() int { l.mu.Lock(); defer l.mu.Unlock(); return l.n }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
