package core_test

// The introspection call is the reference's base backend (the JSON one,
// which the JWT one extends): its request is tested here in both
// backends, then the JSON backend's reading of the answer.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestIntrospectionRequest checks, at the server, the request the
// resource server sends, for each backend and client authentication.
func TestIntrospectionRequest(t *testing.T) {
	t.Parallel()
	accept := map[oidcrstest.Mode]string{oidcrstest.JSON: "application/json", oidcrstest.JWT: "application/token-introspection+jwt"}
	for _, mode := range btModes {
		for _, auth := range []core.ClientAuthMethod{"", core.ClientSecretPost, core.ClientSecretBasic} {
			t.Run(string(mode)+"/"+btOr(string(auth), "default"), func(t *testing.T) {
				t.Parallel()
				as := btAS(t, mode)
				proxy, rec := btProxy(t, as.URL)
				rs := btRS(t, as, func(s *core.Settings) {
					s.IntrospectionEndpoint = proxy.URL + "/introspect"
					s.ClientAuth = auth
				})
				tok := as.Mint(nil)
				_, err := btAuth(rs, tok)
				require.NoError(t, err)
				reqs := rec.requests()
				require.Len(t, reqs, 1)
				r := reqs[0]
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, "application/x-www-form-urlencoded", r.ContentType)
				assert.Equal(t, accept[mode], r.Accept)
				if auth == core.ClientSecretBasic {
					assert.True(t, r.HasBasic)
					assert.Equal(t, oidcrstest.DefaultClientID, r.BasicID)
					assert.Equal(t, oidcrstest.DefaultClientSecret, r.BasicSecret)
					assert.Equal(t, url.Values{"token": {tok}, "token_type_hint": {"access_token"}}, r.Form)
					return
				}
				assert.False(t, r.HasBasic)
				assert.Equal(t, url.Values{"client_id": {oidcrstest.DefaultClientID},
					"client_secret": {oidcrstest.DefaultClientSecret}, "token": {tok}, "token_type_hint": {"access_token"}}, r.Form)
			})
		}
	}
}

// TestIntrospectionTransport checks the timeout, the body limit and
// keep-alive, in both backends.
func TestIntrospectionTransport(t *testing.T) {
	t.Parallel()
	// padded answers the real answer, padded with spaces to size bytes.
	padded := func(as *oidcrstest.Server, size int) func(string, map[string]any) (int, string, []byte) {
		return func(_ string, claims map[string]any) (int, string, []byte) {
			var body []byte
			var err error
			ctype := "application/json"
			if as.Config().Mode == oidcrstest.JWT {
				var s string
				s, err = as.EncryptAnswer(claims)
				body, ctype = []byte(s), "application/token-introspection+jwt"
			} else {
				body, err = json.Marshal(claims)
			}
			if err != nil || len(body) > size {
				return http.StatusInternalServerError, "text/plain", nil
			}
			return http.StatusOK, ctype, append(body, strings.Repeat(" ", size-len(body))...)
		}
	}
	for _, mode := range btModes {
		t.Run(string(mode)+"/timeout", func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			rs := btRS(t, as, func(s *core.Settings) { s.Timeout = 100 * time.Millisecond })
			// Had the timeout been ignored, the kit would answer normally
			// after the delay and the token would be accepted.
			as.SetFault(&oidcrstest.Fault{Delay: 2 * time.Second})
			_, err := btAuth(rs, as.Mint(nil))
			btRejected(t, rs, err, core.ErrUnavailable, http.StatusServiceUnavailable, core.DescFetchFailed)
			btNotInvalidToken(t, err)
		})
		t.Run(string(mode)+"/body of exactly 1 MiB accepted", func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			as.SetAnswerFunc(padded(as, core.MaxResponseBytes))
			_, err := btAuth(btRS(t, as, nil), as.Mint(nil))
			require.NoError(t, err)
		})
		t.Run(string(mode)+"/body over 1 MiB refused", func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			as.SetAnswerFunc(padded(as, core.MaxResponseBytes+1))
			rs := btRS(t, as, nil)
			_, err := btAuth(rs, as.Mint(nil))
			btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescFetchFailed)
		})
		t.Run(string(mode)+"/keep-alive", func(t *testing.T) {
			t.Parallel()
			as := btAS(t, mode)
			proxy, rec := btProxy(t, as.URL)
			rs := btRS(t, as, func(s *core.Settings) { s.IntrospectionEndpoint = proxy.URL + "/introspect" })
			tok := as.Mint(nil)
			for range 5 {
				_, err := btAuth(rs, tok)
				require.NoError(t, err)
			}
			assert.Len(t, rec.requests(), 5, "the cache is off: every request is introspected")
			assert.EqualValues(t, 1, rec.conns.Load(), "sequential calls reuse one connection")
		})
	}
}

// TestJSONBackendBody checks how the JSON backend reads the answer.
func TestJSONBackendBody(t *testing.T) {
	t.Parallel()
	good := `{"active": true, "iss": "ISSUER", "scope": "groups", "client_id": "sp", "sub": "u"}` // ISSUER: the kit's URL
	for _, tc := range []struct {
		name, ctype, body string
		ok                bool
	}{
		{name: "application/json", ctype: "application/json", body: good, ok: true},
		{name: "charset parameter", ctype: "application/json; charset=utf-8", body: good, ok: true},
		{name: "+json media type", ctype: "application/token-introspection+json", body: good, ok: true},
		{name: "trailing whitespace", ctype: "application/json", body: good + "\n\t ", ok: true},
		{name: "HTML page", ctype: "text/html", body: "<html><body>Welcome</body></html>"},
		{name: "JSON labelled text/plain", ctype: "text/plain", body: good},
		{name: "no content type", ctype: "", body: good},
		{name: "malformed content type", ctype: "application/json; ===", body: good},
		{name: "JWT answer", ctype: "application/token-introspection+jwt", body: "a.b.c.d.e"},
		{name: "not JSON", ctype: "application/json", body: "active=true"},
		{name: "empty body", ctype: "application/json", body: ""},
		{name: "JSON array", ctype: "application/json", body: `[` + good + `]`},
		{name: "JSON null", ctype: "application/json", body: "null"},
		{name: "JSON string", ctype: "application/json", body: `"active"`},
		{name: "data after the object", ctype: "application/json", body: good + `{}`},
		{name: "truncated object", ctype: "application/json", body: good[:20]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			as := btAS(t, oidcrstest.JSON)
			btAnswer(as, http.StatusOK, tc.ctype, []byte(strings.ReplaceAll(tc.body, "ISSUER", as.URL)))
			rs := btRS(t, as, nil)
			ti, err := btAuth(rs, as.Mint(nil))
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, "u", ti.Subject)
				return
			}
			btRejected(t, rs, err, core.ErrBadResponse, http.StatusBadGateway, core.DescInvalidJSON)
			btNotInvalidToken(t, err)
		})
	}
}
