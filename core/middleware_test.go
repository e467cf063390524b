package core_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

func TestSmokeBothBackends(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   oidcrstest.Mode
		keyAlg jose.KeyAlgorithm
		enc    jose.ContentEncryption
		sig    jose.SignatureAlgorithm
		ec     bool
	}{
		{name: "json", mode: oidcrstest.JSON},
		{name: "jwt-rsa", mode: oidcrstest.JWT, keyAlg: jose.RSA_OAEP, enc: jose.A256GCM, sig: jose.RS256},
		{name: "jwt-ec", mode: oidcrstest.JWT, keyAlg: jose.ECDH_ES, enc: jose.A256GCM, sig: jose.ES256, ec: true},
		{name: "jwt-ps", mode: oidcrstest.JWT, keyAlg: jose.RSA_OAEP_256, enc: jose.A128CBC_HS256, sig: jose.PS256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pem string
			var err error
			if tc.ec {
				pem, err = oidcrstest.GenerateECKeyPEM()
			} else {
				pem, err = oidcrstest.GenerateRSAKeyPEM(2048)
			}
			require.NoError(t, err)
			// The RS serves its /jwks; the AS fetches it.
			// The RS's /jwks must have a URL before the RS exists: serve
			// through a handler swapped in atomically once it does.
			var jwks atomic.Pointer[http.Handler]
			rsSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if h := jwks.Load(); h != nil {
					(*h).ServeHTTP(w, r)
					return
				}
				http.NotFound(w, r)
			}))
			defer rsSrv.Close()
			as := oidcrstest.Start(t, oidcrstest.Config{Mode: tc.mode, KeyAlg: tc.keyAlg, ContentEnc: tc.enc, SigningAlg: tc.sig, RSJWKSURL: rsSrv.URL + "/jwks"})
			st := as.Settings(pem)
			if tc.ec {
				st.KeyType = "EC"
			}
			rs, err := core.New(st)
			require.NoError(t, err)
			h := rs.JWKSHandler()
			jwks.Store(&h)

			tok := as.Mint(nil)
			ti, err := authenticate(rs, context.Background(), "Bearer "+tok)
			require.NoError(t, err)
			require.Equal(t, oidcrstest.DefaultSubject, ti.Subject)
			require.Equal(t, oidcrstest.DefaultSPClientID, ti.OriginAudience())

			_, err = authenticate(rs, context.Background(), "Bearer unknown-token")
			require.ErrorIs(t, err, core.ErrInvalidToken)
		})
	}
}

// TestMiddlewareOptionalAndSkipper: core's net/http middleware has the
// modes every adapter has.
func TestMiddlewareOptionalAndSkipper(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, nil)
	who := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ti, ok := core.FromContext(r.Context()); ok {
			_, _ = w.Write([]byte(ti.Subject))
			return
		}
		_, _ = w.Write([]byte("anonymous"))
	})
	optional := rs.Middleware(core.Optional())(who)
	skipped := rs.Middleware(core.WithSkipper(func(r *http.Request) bool { return r.URL.Path == "/healthz" }))(who)
	get := func(h http.Handler, path string, auth ...string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for _, a := range auth {
			req.Header.Add("Authorization", a)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	tok := as.Mint(nil)
	for _, tc := range []struct {
		name   string
		h      http.Handler
		path   string
		auth   []string
		status int
		body   string
	}{
		{"optional, no token", optional, "/", nil, 200, "anonymous"},
		{"optional, another scheme", optional, "/", []string{"Basic eDp5"}, 200, "anonymous"},
		{"optional, good token", optional, "/", []string{"Bearer " + tok}, 200, oidcrstest.DefaultSubject},
		{"optional, bad token", optional, "/", []string{"Bearer revoked"}, 401, ""},
		{"optional, malformed", optional, "/", []string{"Bearer "}, 400, ""},
		{"optional, two headers", optional, "/", []string{"Bearer a", "Bearer b"}, 400, ""},
		{"skipped path, bad token", skipped, "/healthz", []string{"Bearer revoked"}, 200, "anonymous"},
		{"other path, no token", skipped, "/api", nil, 401, ""},
	} {
		status, body := get(tc.h, tc.path, tc.auth...)
		assert.Equal(t, tc.status, status, tc.name)
		if tc.body != "" {
			assert.Equal(t, tc.body, body, tc.name)
		}
	}
	assert.True(t, core.IsAnonymous(func() error { _, err := rs.Authenticate(context.Background(), nil); return err }()))
	assert.False(t, core.IsAnonymous(nil))
	assert.False(t, core.IsAnonymous(errors.New("other")))
}
