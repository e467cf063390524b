package httpclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/internal/httpclient"
)

// serve answers every request with status, ctype and body, after waiting
// for release when it is not nil.
func serve(t *testing.T, status int, ctype, body string, release chan struct{}) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if release != nil {
			<-release
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, u string, timeout time.Duration) (httpclient.Response, error) {
	t.Helper()
	c, err := httpclient.New(httpclient.Config{Timeout: time.Minute})
	require.NoError(t, err)
	return httpclient.GetJSON(context.Background(), c, timeout, u, "application/json")
}

func TestGetJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ctype, body string
		status            int
		err               string
	}{
		{"json", "application/json; charset=utf-8", `{"a":1}`, 200, ""},
		{"jwk set", "application/jwk-set+json", `{"keys":[]}`, 200, ""},
		{"undeclared", "text/plain; charset=utf-8", `{}`, 200, ""},
		{"html", "text/html", "<html>login</html>", 200, "not JSON"},
		{"status", "application/json", `{"error":"x"}`, 503, "answered HTTP 503"},
		{"too big", "application/json", `"` + strings.Repeat("a", httpclient.MaxBody) + `"`, 200, "over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := serve(t, tc.status, tc.ctype, tc.body, nil)
			resp, err := get(t, u+"/path?secret=q", time.Minute)
			assert.Equal(t, tc.status, resp.Status)
			if tc.err == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.body, string(resp.Body))
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
			assert.NotContains(t, err.Error(), "secret", "no URL in errors")
			assert.Nil(t, resp.Body)
			if tc.status != 200 {
				assert.Equal(t, "5", resp.Header.Get("Retry-After"), "the header of any answer is kept")
			}
		})
	}
}

func TestGetJSONFailures(t *testing.T) {
	t.Parallel()
	t.Run("no redirect", func(t *testing.T) {
		t.Parallel()
		resp, err := get(t, serve(t, 200, "application/json", "{}", nil)+"/redirect", time.Minute)
		assert.Equal(t, http.StatusFound, resp.Status)
		assert.ErrorContains(t, err, "answered HTTP 302")
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		u := serve(t, 200, "application/json", "{}", release)
		defer close(release)
		resp, err := get(t, "http://user:pass@"+strings.TrimPrefix(u, "http://")+"/?q=secret", 50*time.Millisecond)
		assert.Zero(t, resp.Status)
		assert.ErrorIs(t, err, httpclient.ErrTimedOut)
		assert.NotContains(t, err.Error(), "pass")
		assert.NotContains(t, err.Error(), "secret")
	})
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		resp, err := get(t, "http://user:pass@127.0.0.1:1/?q=secret", time.Minute)
		assert.Zero(t, resp.Status)
		require.Error(t, err)
		assert.NotErrorIs(t, err, httpclient.ErrTimedOut)
		assert.NotContains(t, err.Error(), "pass")
		assert.NotContains(t, err.Error(), "secret")
	})
	t.Run("bad URL", func(t *testing.T) {
		t.Parallel()
		_, err := get(t, "http://[::1", time.Minute)
		assert.EqualError(t, err, "not a valid URL")
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := httpclient.New(httpclient.Config{})
	require.NoError(t, err)
	assert.Equal(t, httpclient.DefaultTimeout, c.Timeout)
	assert.False(t, c.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify, "TLS verified by default")

	c, err = httpclient.New(httpclient.Config{Proxy: "http://proxy.example:3128", InsecureSkipVerify: true})
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, "https://as.example/", nil)
	p, err := c.Transport.(*http.Transport).Proxy(req)
	require.NoError(t, err)
	assert.Equal(t, "proxy.example:3128", p.Host)
	assert.True(t, c.Transport.(*http.Transport).TLSClientConfig.InsecureSkipVerify)

	_, err = httpclient.New(httpclient.Config{Proxy: "http://[bad"})
	assert.ErrorIs(t, err, httpclient.ErrProxy)
}
