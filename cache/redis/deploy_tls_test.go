package rediscache_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/redistest"
)

// A real redis-server over TLS only, requiring client certificates from
// its CA: the fleet shares through OIDC_RS_CACHE_TLS_*; without the files
// it needs, every store call fails as "tls" in the resource server's log,
// and every answer is still right.

func TestDeployTLS(t *testing.T) {
	t.Parallel()
	srv := redistest.StartTLS(t)
	files := srv.TLSFiles()

	t.Run("CA and client certificate", func(t *testing.T) {
		d := startDeployment(t, srv.URL(), 4, func(st *core.Settings) {
			st.CacheTLSCAFile, st.CacheTLSCertFile, st.CacheTLSKeyFile = files.CAFile, files.CertFile, files.KeyFile
		})
		d.shareN(t, 10)
		tok, _, _ := d.share(t)
		took, err := d.forget(t, tok)
		require.NoError(t, err)
		t.Logf("Forget over TLS: every other replica refused the token %v after", took.Round(time.Microsecond))
		assert.Empty(t, d.logs.lines("failure="), "no store failure")
		assert.Zero(t, d.wrong.Load())
	})

	for _, tc := range []struct {
		name string
		edit func(*core.Settings)
	}{
		{"no client certificate", func(st *core.Settings) { st.CacheTLSCAFile = files.CAFile }},
		{"CA not given", func(st *core.Settings) { st.CacheTLSCertFile, st.CacheTLSKeyFile = files.CertFile, files.KeyFile }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startDeployment(t, srv.URL(), 2, tc.edit)
			for range 5 {
				tok := d.mint()
				for _, rs := range d.rss {
					d.check(t, rs, tok, http.StatusOK)
				}
			}
			assert.EqualValues(t, 10, d.calls(), "nothing shared: each replica asked")
			assert.Len(t, d.logs.lines("oidcrs: shared_cache is failing", "failure=tls"), 2, "one Warn per replica, cause tls")
			for _, line := range d.logs.lines("failure=") {
				assert.Contains(t, line, "failure=tls")
			}
			assert.Zero(t, d.wrong.Load())
		})
	}
}
