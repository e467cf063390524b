package core_test

// Shared helpers of the behaviour tests. Their names start with "bt" so
// that they cannot collide with the helpers of other test files of this
// package.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// btModes are the two backends every shared rule is tested in.
var btModes = []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT}

// Keys are generated once per test binary: RSA generation is slow under
// the race detector.
var (
	btRSAKeyA = sync.OnceValues(func() (string, error) { return oidcrstest.GenerateRSAKeyPEM(2048) })
	btRSAKeyB = sync.OnceValues(func() (string, error) { return oidcrstest.GenerateRSAKeyPEM(2048) })
	btECKey   = sync.OnceValues(func() (string, error) { return oidcrstest.GenerateECKeyPEM() })
)

// btKey returns a generated key PEM or fails the test.
func btKey(t testing.TB, gen func() (string, error)) string {
	t.Helper()
	k, err := gen()
	require.NoError(t, err)
	return k
}

// btPublicJWK returns the public half of the first key of pemText, with
// its thumbprint kid and alg set, as the resource server publishes it.
func btPublicJWK(t testing.TB, pemText string, alg jose.KeyAlgorithm) *jose.JSONWebKey {
	t.Helper()
	keys, err := core.ParsePrivateKeys(pemText, "")
	require.NoError(t, err)
	pub := keys[0].Public()
	pub.Algorithm = string(alg)
	return &pub
}

// btAS starts the kit in mode. It signs with ES256 (quick to generate)
// and, in JWT mode, encrypts with RSA-OAEP and A256GCM to key A.
func btAS(t testing.TB, mode oidcrstest.Mode, edit ...func(*oidcrstest.Config)) *oidcrstest.Server {
	t.Helper()
	cfg := oidcrstest.Config{Mode: mode, SigningAlg: jose.ES256, KeyAlg: jose.RSA_OAEP, ContentEnc: jose.A256GCM}
	if mode == oidcrstest.JWT {
		cfg.RSKey = btPublicJWK(t, btKey(t, btRSAKeyA), jose.RSA_OAEP)
	}
	for _, e := range edit {
		e(&cfg)
	}
	return oidcrstest.Start(t, cfg)
}

// btSettings returns settings that trust as, with the cache off so that
// every request reaches the authorization server, as the reference does.
func btSettings(t testing.TB, as *oidcrstest.Server, scopes ...string) core.Settings {
	t.Helper()
	key := ""
	if as.Config().Mode == oidcrstest.JWT {
		key = btKey(t, btRSAKeyA)
	}
	st := as.Settings(key, scopes...)
	st.DisableCache = true
	return st
}

// btRS builds a resource server that trusts as; edit adjusts its settings.
func btRS(t testing.TB, as *oidcrstest.Server, edit func(*core.Settings), opts ...core.Option) *core.ResourceServer {
	t.Helper()
	st := btSettings(t, as)
	if edit != nil {
		edit(&st)
	}
	rs, err := core.New(st, opts...)
	require.NoError(t, err)
	return rs
}

// btAuth authenticates "Bearer "+token with rs.
func btAuth(rs *core.ResourceServer, token string) (*core.TokenInfo, error) {
	return authenticate(rs, context.Background(), "Bearer "+token)
}

// btRejected asserts that err is an *Error of kind and that ErrorResponse
// maps it to status and desc.
func btRejected(t testing.TB, rs *core.ResourceServer, err error, kind error, status int, desc string) core.Response {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, kind)
	_, _, _, ours := core.ErrorParts(err)
	require.True(t, ours, "an error of ours: %v", err)
	resp := rs.ErrorResponse(err)
	require.Equal(t, status, resp.Status, "status for %v", err)
	require.Equal(t, desc, resp.Body.Description)
	return resp
}

// btServe serves rs.Middleware in front of a handler that prints the
// subject and origin audience of the token in the request context.
func btServe(t testing.TB, rs *core.ResourceServer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ti, ok := core.FromContext(r.Context())
		if !ok {
			http.Error(w, "no token info", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, ti.Subject+" "+ti.OriginAudience())
	})))
	t.Cleanup(srv.Close)
	return srv
}

// btGet sends GET url with the given Authorization header values and
// returns the response and its body.
func btGet(t testing.TB, u string, authorization ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	for _, a := range authorization {
		req.Header.Add("Authorization", a)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// btErrorBody decodes an error answer's JSON body.
func btErrorBody(t testing.TB, body string) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	return m
}

// btRequest is what the authorization server received.
type btRequest struct {
	Method, ContentType, Accept string
	BasicID, BasicSecret        string
	HasBasic                    bool
	Form                        url.Values
}

// btRecorder records the requests passed through btProxy and counts the
// connections the resource server opened to it.
type btRecorder struct {
	mu    sync.Mutex
	reqs  []btRequest
	conns atomic.Int64
}

func (r *btRecorder) requests() []btRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]btRequest(nil), r.reqs...)
}

// btProxy starts a reverse proxy to target that records each request.
func btProxy(t testing.TB, target string) (*httptest.Server, *btRecorder) {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(u)
	rec := &btRecorder{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		id, secret, basic := r.BasicAuth()
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, btRequest{Method: r.Method, ContentType: r.Header.Get("Content-Type"),
			Accept: r.Header.Get("Accept"), BasicID: id, BasicSecret: secret, HasBasic: basic, Form: form})
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rec.conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, rec
}

// btLogSink captures a logger's records as JSON lines.
type btLogSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *btLogSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// btLogger returns a Debug-level JSON logger writing to a new sink.
func btLogger() (*slog.Logger, *btLogSink) {
	sink := &btLogSink{}
	return slog.New(slog.NewJSONHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug})), sink
}

// String returns everything logged.
func (l *btLogSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns the decoded records.
func (l *btLogSink) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		out = append(out, m)
	}
	return out
}

// btAnswer makes as answer every introspection with status, content type
// and body.
func btAnswer(as *oidcrstest.Server, status int, ctype string, body []byte) {
	as.SetAnswerFunc(func(string, map[string]any) (int, string, []byte) { return status, ctype, body })
}

// btNotInvalidToken asserts the AS-failure rule: never invalid_token.
func btNotInvalidToken(t testing.TB, err error) {
	t.Helper()
	require.False(t, errors.Is(err, core.ErrInvalidToken), "an authorization server failure must not be invalid_token: %v", err)
}

// btOr returns s, or def when s is "".
func btOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// btClock is a settable clock for core.WithClock.
type btClock struct {
	mu  sync.Mutex
	now time.Time
}

// btClockLead is how far ahead of the real clock a btClock starts: the
// fake authorization server stamps iat with the real clock, in whole
// seconds, and a token minted after the clock was read (in a later
// second, or after a slow start on a busy machine) would otherwise look
// issued in the future.
const btClockLead = 10 * time.Second

func newBTClock() *btClock { return &btClock{now: time.Now().Add(btClockLead)} }

// Now returns the clock's time.
func (c *btClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Advance moves the clock forward by d.
func (c *btClock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// btKeyMaterial returns 16-character chunks of a PEM's base64 body, to
// prove that a text does not quote the key.
func btKeyMaterial(pemText string) []string {
	var out []string
	for _, line := range strings.Split(pemText, "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			out = append(out, line[:16])
		}
	}
	return out
}
