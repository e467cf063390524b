package connectrs_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	connectrs "github.com/oidcrs/oidcrs/adapters/connect"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/internal/adaptertest"
	"github.com/oidcrs/oidcrs/internal/tlstest"
)

// TestCertificateBoundTokens checks, over real TLS with client
// certificates, that a token bound to a certificate (RFC 8705) passes
// with that certificate once WithClientTLS hands the interceptor the
// connection, and is refused with another certificate or without the
// wrapper.
func TestCertificateBoundTokens(t *testing.T) {
	as := oidcrstest.Start(t, oidcrstest.Config{})
	rs, err := core.New(as.Settings(""))
	require.NoError(t, err)
	// The server asks for a certificate and verifies none: the token's
	// binding is what counts.
	ca := tlstest.NewCA(t)
	mine, other := ca.Client(t, "mine"), ca.Client(t, "other")
	sum := sha256.Sum256(mine.Certificate[0])
	token := as.Mint(map[string]any{"cnf": map[string]any{"x5t#S256": base64.RawURLEncoding.EncodeToString(sum[:])}})
	services := testServices([]string{"/bound"}, func(context.Context) string { return "hi" },
		connect.WithInterceptors(connectrs.NewInterceptor(rs)))

	for _, tc := range []struct {
		name    string
		wrapped bool
		cert    tls.Certificate
		code    connect.Code
	}{
		{"wrapped, its certificate", true, mine, 0},
		{"wrapped, another certificate", true, other, connect.CodeUnauthenticated},
		{"not wrapped, its certificate", false, mine, connect.CodeUnauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h http.Handler = services
			if tc.wrapped {
				h = connectrs.WithClientTLS(services)
			}
			srv := httptest.NewUnstartedServer(h)
			srv.EnableHTTP2 = true
			srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
			srv.StartTLS()
			t.Cleanup(srv.Close)
			hc := srv.Client()
			hc.Transport.(*http.Transport).TLSClientConfig.Certificates = []tls.Certificate{tc.cert}
			c := connect.NewClient[message, message](hc, srv.URL+adaptertest.ConnectUnaryProcedure("/bound"), connect.WithCodec(jsonCodec{}))
			req := connect.NewRequest(&message{Text: "hi"})
			req.Header().Set("Authorization", "Bearer "+token)
			_, err := c.CallUnary(t.Context(), req)
			if tc.code == 0 {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tc.code, connect.CodeOf(err), "%v", err)
		})
	}
}
