package core_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// What is logged, at which level: a client that hangs up while its token
// is being introspected is a client event, logged at Debug, not an outage
// of the authorization server (clients would choose the volume of Warn
// records); a real timeout of the authorization server (OIDC_TIMEOUT)
// stays at Warn; no record carries a secret.

func TestClientCancellationIsNotAnOutage(t *testing.T) {
	t.Parallel()
	for name, end := range map[string]func() (context.Context, context.CancelFunc){
		"canceled": func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		},
		"own deadline": func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			as.SetFault(&oidcrstest.Fault{Delay: 2 * time.Second})
			logger, sink := btLogger()
			rs := btRS(t, as, func(s *core.Settings) { s.Timeout = 10 * time.Second }, core.WithLogger(logger))
			ctx, cancel := end()
			defer cancel()
			_, err := authenticate(rs, ctx, "Bearer "+as.Mint(nil))
			require.ErrorIs(t, err, core.ErrUnavailable, "the request still fails closed")
			require.ErrorIs(t, err, core.ErrClientGone)
			assert.Equal(t, http.StatusServiceUnavailable, rs.ErrorResponse(err).Status)
			recs := sink.records(t)
			require.NotEmpty(t, recs)
			for _, r := range recs {
				assert.Equal(t, "DEBUG", r["level"], "record %v", r)
				assert.NotContains(t, r["msg"], "unavailable")
			}
			assert.Contains(t, sink.String(), "client went away")
		})
	}
}

func TestAuthorizationServerTimeoutStaysAWarning(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	as.SetFault(&oidcrstest.Fault{Delay: 2 * time.Second})
	logger, sink := btLogger()
	rs := btRS(t, as, func(s *core.Settings) { s.Timeout = 100 * time.Millisecond }, core.WithLogger(logger))
	_, err := btAuth(rs, as.Mint(nil))
	require.ErrorIs(t, err, core.ErrUnavailable)
	require.False(t, errors.Is(err, core.ErrClientGone))
	assert.Contains(t, btLevels(sink.records(t)), "WARN")
	assert.Contains(t, sink.String(), "timed out")
}

// TestLogging checks levels and that no record carries the token, the
// secret, the key or the Authorization header, in both backends.
func TestLogging(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			logger, sink := btLogger()
			rs := btRS(t, as, nil, core.WithLogger(logger))
			pemText := btKey(t, btRSAKeyA)
			good, inactive, noScope := as.Mint(nil), as.Mint(map[string]any{"active": false}), as.Mint(map[string]any{"scope": "x"})
			failing := as.Mint(nil)
			headers := []string{"Bearer " + good, "Bearer " + inactive, "Bearer " + noScope, "Bearer " + good + " extra",
				"Bearer " + base64.StdEncoding.EncodeToString([]byte(good))}
			for _, h := range headers {
				_, _ = authenticate(rs, context.Background(), h)
			}
			debugs := len(sink.records(t))
			as.SetFault(&oidcrstest.FaultServerError)
			_, err := btAuth(rs, failing)
			require.ErrorIs(t, err, core.ErrUnavailable)

			recs := sink.records(t)
			require.Greater(t, len(recs), debugs)
			require.GreaterOrEqual(t, debugs, 3, "inactive, scope and malformed rejections are logged")
			for _, r := range recs[:debugs] {
				assert.Equal(t, "DEBUG", r["level"], "client-caused rejections at Debug: %v", r)
			}
			assert.Equal(t, 1, btCount(recs[debugs:], "WARN"), "an authorization server failure: one Warn, the state change")
			assert.Contains(t, sink.String(), "introspection is failing")

			out := sink.String()
			forbidden := append([]string{good, inactive, noScope, failing, oidcrstest.DefaultClientSecret, "Bearer ", "PRIVATE KEY"},
				btKeyMaterial(pemText)...)
			for _, f := range forbidden {
				assert.NotContains(t, out, f)
			}
		})
	}
	t.Run("JWT answer failures at Warn", func(t *testing.T) {
		t.Parallel()
		as := btAS(t, oidcrstest.JWT)
		logger, sink := btLogger()
		rs := btRS(t, as, nil, core.WithLogger(logger))
		p := btJWT{t: t, as: as}
		body := p.encryptTo(p.sign(p.outer(nil), nil), btKey(t, btRSAKeyB), "", jose.RSA_OAEP, jose.A256GCM, nil, false)
		btAnswer(as, http.StatusOK, "application/token-introspection+jwt", []byte(body))
		tok := as.Mint(nil)
		_, err := btAuth(rs, tok)
		require.ErrorIs(t, err, core.ErrBadResponse)
		assert.Equal(t, 1, btCount(sink.records(t), "WARN"))
		assert.Contains(t, sink.String(), `"failure":"untrusted"`)
		assert.NotContains(t, sink.String(), tok)
	})
}

// btCount counts the records at level.
func btCount(recs []map[string]any, level string) int {
	n := 0
	for _, r := range recs {
		if r["level"] == level {
			n++
		}
	}
	return n
}

// btLevels returns the distinct levels of recs, in order of appearance.
func btLevels(recs []map[string]any) []string {
	var out []string
	for _, r := range recs {
		l, _ := r["level"].(string)
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// TestLogNamesTheFailingEndpoint: a connection failure at discovery or at
// the JWKS endpoint is logged as that endpoint's, in the health record and
// in the rejection's cause; the introspection endpoint, never called or
// called successfully, stays healthy.
func TestLogNamesTheFailingEndpoint(t *testing.T) {
	t.Parallel()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // nothing listens there any more
	for _, tc := range []struct {
		name, warn, cause string
		mode              oidcrstest.Mode
		edit              func(*core.Settings)
	}{
		{name: "discovery", mode: oidcrstest.JSON, warn: "oidcrs: discovery is failing",
			cause: "oidcrs: authorization server unavailable: Could not read the authorization server's metadata: discovery endpoint: request failed: ",
			edit:  func(s *core.Settings) { s.Issuer, s.IntrospectionEndpoint = dead.URL, "" }},
		{name: "JWKS", mode: oidcrstest.JWT, warn: "oidcrs: jwks is failing",
			cause: "oidcrs: authorization server unavailable: Could not get authorization server JWKS: jwks endpoint: request failed: ",
			edit:  func(s *core.Settings) { s.JWKSEndpoint = dead.URL + "/jwks" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, tc.mode)
			logger, sink := btLogger()
			rs := btRS(t, as, tc.edit, core.WithLogger(logger))
			_, err := btAuth(rs, as.Mint(nil))
			require.ErrorIs(t, err, core.ErrUnavailable)
			assert.True(t, strings.HasPrefix(err.Error(), tc.cause), "cause: %v", err)

			var warns, debugs []string
			for _, r := range sink.records(t) {
				switch r["level"] {
				case "WARN":
					warns = append(warns, r["msg"].(string))
				case "DEBUG":
					if r["msg"] == "oidcrs: request rejected" {
						debugs = append(debugs, r["error"].(string))
					}
				}
			}
			assert.Equal(t, []string{tc.warn}, warns, "the failing endpoint's record alone")
			require.Len(t, debugs, 1)
			assert.True(t, strings.HasPrefix(debugs[0], tc.cause), "the rejection: %s", debugs[0])
			assert.NotContains(t, sink.String(), "introspection is failing")
		})
	}
}
