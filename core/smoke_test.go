package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
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
