package core_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The fault suite: the authorization server (AS) or its JWKS misbehaves,
// and every request must fail closed with its documented status, within
// the timeout plus a generous margin. The harness it runs on lives in
// helpers_failure_test.go, with the log capture; the crafting helpers in
// attack_test.go.

// faultCases returns the fault table; leak_test.go iterates it again.
func faultCases() []failureCase {
	closedURL := func(t *testing.T) string {
		srv := httptest.NewServer(http.NotFoundHandler())
		u := srv.URL
		srv.Close()
		return u
	}
	// slowAS makes the AS (or its JWKS) answer in 3 s, past a timeout of
	// 1 s: the margin is the slow side's, so a busy machine keeps it.
	slowAS := func(jwks bool) func(*testing.T, *harness, *probe) {
		return func(_ *testing.T, h *harness, p *probe) {
			p.settings.Timeout = time.Second
			f := oidcrstest.Fault{Delay: 3 * time.Second}
			if jwks {
				h.as.SetJWKSFault(&f)
			} else {
				h.as.SetFault(&f)
			}
		}
	}
	fault := func(f oidcrstest.Fault) func(*testing.T, *harness, *probe) {
		return func(_ *testing.T, h *harness, _ *probe) { h.as.SetFault(&f) }
	}
	jwksFault := func(f oidcrstest.Fault) func(*testing.T, *harness, *probe) {
		return func(_ *testing.T, h *harness, _ *probe) { h.as.SetJWKSFault(&f) }
	}
	unauthorized := func(wwwAuth string) oidcrstest.Fault {
		f := oidcrstest.Fault{Status: http.StatusUnauthorized, ContentType: "application/json", Body: []byte(`{"error":"invalid_token"}`)}
		if wwwAuth != "" {
			f.Header = http.Header{"Www-Authenticate": {wwwAuth}}
		}
		return f
	}
	return []failureCase{
		{name: "as refuses connections", status: 503, desc: core.DescFetchFailed,
			arrange: func(t *testing.T, _ *harness, p *probe) {
				p.settings.IntrospectionEndpoint = closedURL(t) + "/introspect"
			}},
		{name: "as drops the connection", status: 503, desc: core.DescFetchFailed, arrange: fault(oidcrstest.FaultDown)},
		{name: "as slower than the timeout", status: 503, desc: core.DescFetchFailed, arrange: slowAS(false)},
		{name: "as answers 500", status: 503, desc: core.DescFetchFailed, arrange: fault(oidcrstest.FaultServerError)},
		{name: "as answers 502", status: 503, desc: core.DescFetchFailed, arrange: fault(oidcrstest.Fault{Status: 502, ContentType: "text/html", Body: []byte("<h1>Bad Gateway</h1>")})},
		{name: "as answers 429 with Retry-After", status: 503, desc: core.DescFetchFailed, retryAfter: "7", arrange: fault(oidcrstest.FaultTooManyRequests)},
		{name: "as answers 429 with a malformed Retry-After", status: 503, desc: core.DescFetchFailed,
			arrange: fault(oidcrstest.Fault{Status: 429, Header: http.Header{"Retry-After": {"soon\"; evil"}}})},
		{name: "as answers a redirect", status: 503, desc: core.DescFetchFailed,
			arrange: fault(oidcrstest.Fault{Status: 307, Header: http.Header{"Location": {"http://127.0.0.1:1/elsewhere"}}})},
		{name: "as answers 401 with WWW-Authenticate", status: 401, desc: "Token revoked",
			arrange: fault(unauthorized(`Bearer error="invalid_token", error_description="Token revoked"`))},
		{name: "as answers 401 with an unprintable description", status: 401, desc: core.DescUpstreamRejected,
			arrange: fault(unauthorized("Bearer error=\"invalid_token\", error_description=\"caf\u00e9 \\\" x\""))},
		{name: "as answers 401 without WWW-Authenticate", status: 503, desc: core.DescFetchFailed, arrange: fault(unauthorized(""))},
		{name: "as refuses our client secret", status: 503, desc: core.DescFetchFailed,
			arrange: func(_ *testing.T, _ *harness, p *probe) { p.settings.ClientSecret = "wrong-" + randomString(24) }},
		{name: "html body", only: oidcrstest.JSON, status: 502, desc: core.DescInvalidJSON, arrange: fault(oidcrstest.FaultGarbage)},
		{name: "html body", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed, arrange: fault(oidcrstest.FaultGarbage)},
		{name: "body over the size limit", status: 502, desc: core.DescFetchFailed, arrange: fault(oidcrstest.Fault{Status: 200, ContentType: "application/json",
			Body: []byte(`{"active":true,"pad":"` + strings.Repeat("x", core.MaxResponseBytes) + `"}`)})},
		{name: "wrong content type", only: oidcrstest.JSON, status: 502, desc: core.DescInvalidJSON,
			arrange: func(t *testing.T, h *harness, p *probe) { h.serveRealAnswer(t, "text/plain") }},
		{name: "wrong content type", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, p *probe) { h.serveRealAnswer(t, "application/json") }},
		{name: "truncated jwe: four segments", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) {
				h.serveJWE(t, func(s string) string { return s[:strings.LastIndexByte(s, '.')] })
			}},
		{name: "truncated jwe: half the ciphertext", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) { h.serveJWE(t, func(s string) string { return s[:len(s)/2] }) }},
		{name: "jwe ciphertext altered", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) { h.serveJWE(t, alterSegment(3)) }},
		{name: "jwe for another key, our kid", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) {
				h.serveBody(h.encryptTo(t, testKeys().otherPub, testKeys().rsPub.KeyID))
			}},
		{name: "jwe for another key, its kid", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) {
				h.serveBody(h.encryptTo(t, testKeys().otherPub, testKeys().otherPub.KeyID))
			}},
		{name: "jwe for another key, no kid", only: oidcrstest.JWT, status: 502, desc: core.DescDecryptionFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) { h.serveBody(h.encryptTo(t, testKeys().otherPub, "")) }},
		{name: "as jwks refuses connections", only: oidcrstest.JWT, status: 503, desc: core.DescJWKSFailed,
			arrange: func(t *testing.T, _ *harness, p *probe) { p.settings.JWKSEndpoint = closedURL(t) + "/jwks" }},
		{name: "as jwks drops the connection", only: oidcrstest.JWT, status: 503, desc: core.DescJWKSFailed, arrange: jwksFault(oidcrstest.FaultDown)},
		{name: "as jwks slower than the timeout", only: oidcrstest.JWT, status: 503, desc: core.DescJWKSFailed, arrange: slowAS(true)},
		{name: "as jwks answers 503 with Retry-After", only: oidcrstest.JWT, status: 503, desc: core.DescJWKSFailed, retryAfter: "30",
			arrange: jwksFault(oidcrstest.Fault{Status: 503, Header: http.Header{"Retry-After": {"30"}}})},
		{name: "as jwks answers garbage", only: oidcrstest.JWT, status: 502, desc: core.DescJWKSFailed, arrange: jwksFault(oidcrstest.FaultGarbage)},
		{name: "as jwks is empty", only: oidcrstest.JWT, status: 502, desc: core.DescJWKSFailed,
			arrange: jwksFault(oidcrstest.Fault{Status: 200, ContentType: "application/json", Body: []byte(`{"keys":[]}`)})},
		{name: "as jwks holds only a private key", only: oidcrstest.JWT, status: 502, desc: core.DescJWKSFailed,
			arrange: func(t *testing.T, h *harness, _ *probe) {
				h.as.SetJWKSFault(&oidcrstest.Fault{Status: 200, ContentType: "application/json", Body: mustJSON(t, map[string]any{"keys": []any{h.as.SigningKey()}})})
			}},
		{name: "active with exp in the past", status: 401, desc: core.DescExpired,
			arrange: func(_ *testing.T, h *harness, p *probe) {
				p.bearer(h.as.Mint(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}))
			}},
		{name: "as clock ahead, no leeway", only: oidcrstest.JSON, status: 401, desc: core.DescNotYetValid,
			arrange: func(_ *testing.T, _ *harness, p *probe) { p.skew(-30*time.Second, 0) }},
		// In JWT mode the envelope's iat fails first: an untrusted answer.
		{name: "as clock ahead, no leeway, envelope", only: oidcrstest.JWT, status: 502, desc: core.DescInvalidClaims,
			arrange: func(_ *testing.T, _ *harness, p *probe) { p.skew(-30*time.Second, 0) }},
		{name: "as clock ahead, leeway covers it", status: 200,
			arrange: func(_ *testing.T, _ *harness, p *probe) { p.skew(-30*time.Second, time.Minute) }},
		{name: "as clock behind, no leeway", status: 401, desc: core.DescExpired,
			arrange: func(_ *testing.T, h *harness, p *probe) {
				p.skew(30*time.Second, 0)
				p.bearer(h.as.Mint(map[string]any{"exp": time.Now().Add(10 * time.Second).Unix()}))
			}},
		{name: "as clock behind, leeway covers it", status: 200,
			arrange: func(_ *testing.T, h *harness, p *probe) {
				p.skew(30*time.Second, time.Minute)
				p.bearer(h.as.Mint(map[string]any{"exp": time.Now().Add(10 * time.Second).Unix()}))
			}},
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	runTable(t, faultCases())
}

// TestFaultJWKSRotation rotates the AS signing key: the resource server
// fetches the new key once, without downtime once the 5 s floor has
// passed, and an unknown kid never costs more than one fetch per 5 s.
func TestFaultJWKSRotation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oidcrstest.JWT)
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	rs, err := core.New(h.settings(), core.WithClock(clock))
	require.NoError(t, err)
	h.as.ResetCounts()
	status := func() int {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Authorization", "Bearer "+h.as.Mint(nil))
		rs.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})).ServeHTTP(rec, req)
		return rec.Code
	}

	require.Equal(t, 200, status())
	require.EqualValues(t, 1, h.as.JWKSCalls(), "first use fetches the JWKS once")
	require.Equal(t, 200, status())
	require.EqualValues(t, 1, h.as.JWKSCalls(), "a known kid needs no fetch")

	require.NoError(t, h.as.RotateSigningKey())
	assert.Equal(t, 503, status(), "a new kid within 5 s of the last fetch is not fetched: retry later")
	assert.EqualValues(t, 1, h.as.JWKSCalls())

	offset.Add(int64(6 * time.Second))
	require.Equal(t, 200, status(), "after the floor, the unknown kid triggers one refresh")
	require.EqualValues(t, 2, h.as.JWKSCalls())
	require.Equal(t, 200, status())
	require.EqualValues(t, 2, h.as.JWKSCalls())

	// A kid the AS never published: one refresh per 5 s, even under a burst.
	foreign := h.signForeign(t, "no-such-kid")
	h.serveBody(h.encrypt(t, foreign, nil))
	offset.Add(int64(6 * time.Second))
	codes := make(chan int, 20)
	for range cap(codes) {
		go func() { codes <- status() }()
	}
	// 502 once a refresh made for the request did not find the kid; 503
	// for a request that came after it, until the next refresh.
	for range cap(codes) {
		assert.Contains(t, []int{502, 503}, <-codes)
	}
	assert.EqualValues(t, 3, h.as.JWKSCalls(), "a burst of unknown kids costs exactly one refresh")
	assert.Equal(t, 503, status())
	assert.EqualValues(t, 3, h.as.JWKSCalls())
}

// TestFaultRecovers checks that AS failures are not cached: the same
// token succeeds as soon as the AS is back.
func TestFaultRecovers(t *testing.T) {
	t.Parallel()
	for _, mode := range []oidcrstest.Mode{oidcrstest.JSON, oidcrstest.JWT} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHarness(t, mode)
			rs, err := core.New(h.settings())
			require.NoError(t, err)
			tok := h.as.Mint(nil)
			for _, f := range []*oidcrstest.Fault{&oidcrstest.FaultServerError, &oidcrstest.FaultDown, nil} {
				h.as.SetFault(f)
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				rs.Middleware()(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)
				want := 503
				if f == nil {
					want = 200
				}
				assert.Equal(t, want, rec.Code, fmt.Sprintf("fault %v", f))
			}
		})
	}
}

// alterSegment changes one character in the middle of segment i of a
// compact serialization.
func alterSegment(i int) func(string) string {
	return func(s string) string {
		parts := strings.Split(s, ".")
		b := []byte(parts[i])
		m := len(b) / 2
		if b[m] == 'A' {
			b[m] = 'B'
		} else {
			b[m] = 'A'
		}
		parts[i] = string(b)
		return strings.Join(parts, ".")
	}
}
