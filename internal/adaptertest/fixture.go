package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// asTimeout is the fixtures' OIDC_TIMEOUT: wide, because on a busy machine
// running the race detector a healthy loopback call can take seconds, and
// a timeout would answer 503 instead of the verdict under test. The
// fixtures' outages (oidcrstest's faults) fail at once: none waits for it.
const asTimeout = 30 * time.Second

// StartResourceServer starts a JSON-mode oidcrstest.Server and a
// ResourceServer that trusts it, with a fresh EC key (ECDH-ES) so that
// /jwks has a key to serve. Both stop when the test ends.
func StartResourceServer(tb testing.TB) (*oidcrstest.Server, *core.ResourceServer) {
	tb.Helper()
	pem, err := oidcrstest.GenerateECKeyPEM()
	if err != nil {
		tb.Fatal(err)
	}
	as := oidcrstest.Start(tb, oidcrstest.Config{})
	st := as.Settings(pem)
	st.KeyType, st.EncryptionAlgorithm = "EC", "ECDH-ES"
	st.Timeout = asTimeout
	rs, err := core.New(st)
	if err != nil {
		tb.Fatal(err)
	}
	return as, rs
}

// Get serves GET path with h, with an Authorization header when
// authorization is not "", and returns the recorded answer.
func Get(h http.Handler, path, authorization string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
