package core_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestIntrospectionHintsAccessToken: every introspection request says that
// only an access token will do (RFC 7662 section 2.1), whatever the
// backend, the client authentication and the answer; and an answer that
// still calls the token a refresh token is refused.
func TestIntrospectionHintsAccessToken(t *testing.T) {
	t.Parallel()
	for _, mode := range btModes {
		for _, auth := range []core.ClientAuthMethod{core.ClientSecretPost, core.ClientSecretBasic} {
			t.Run(string(mode)+"/"+string(auth), func(t *testing.T) {
				t.Parallel()
				as := btAS(t, mode)
				proxy, rec := btProxy(t, as.URL)
				rs := btRS(t, as, func(s *core.Settings) {
					s.IntrospectionEndpoint = proxy.URL + "/introspect"
					s.ClientAuth = auth
				})
				_, err := btAuth(rs, as.Mint(nil))
				require.NoError(t, err)
				_, err = btAuth(rs, "never-minted")
				btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescInactive)
				_, err = btAuth(rs, as.Mint(map[string]any{"token_use": "refresh_token"}))
				btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNotAccessToken)
				reqs := rec.requests()
				require.Len(t, reqs, 3)
				for _, r := range reqs {
					assert.Equal(t, []string{"access_token"}, r.Form["token_type_hint"])
				}
			})
		}
	}
}

// TestRefreshTokenNeverCached: a refused refresh token stays refused from
// the cache, and never becomes a 200.
func TestRefreshTokenNeverCached(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	tok := as.Mint(map[string]any{"token_use": "refresh_token"})
	for range 3 {
		_, err := btAuth(rs, tok)
		btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNotAccessToken)
	}
	assert.EqualValues(t, 1, as.IntrospectionCalls(), "the refusal is cached for the negative TTL")
}

// TestIntrospectionRetriesAClosedKeepAlive: an authorization server that
// closes an idle keep-alive connection just as the next introspection is
// sent on it costs that request nothing: introspection reads and changes
// nothing, so the request is sent again on a new connection instead of
// failing with 503.
func TestIntrospectionRetriesAClosedKeepAlive(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	var conns atomic.Int32
	answer := func(w *bufio.Writer) {
		body := `{"active":true,"iss":"https://as.example","scope":"groups","client_id":"sp","sub":"u","exp":` +
			strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) + `}`
		fmt.Fprintf(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		_ = w.Flush()
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(first bool) {
				defer c.Close()
				r, w := bufio.NewReader(c), bufio.NewWriter(c)
				for n := 1; ; n++ {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if first && n == 2 {
						return // the second request on the first connection: closed unanswered
					}
					answer(w)
				}
			}(conns.Add(1) == 1)
		}
	}()
	rs, err := core.New(core.Settings{Backend: core.BackendJSON, ClientID: "rs", ClientSecret: "s",
		Issuer: "https://as.example", IntrospectionEndpoint: "http://" + ln.Addr().String() + "/introspect",
		Scopes: []string{"groups"}, ClientAuth: core.ClientSecretPost})
	require.NoError(t, err)
	for _, tok := range []string{"token-one", "token-two"} {
		_, err := btAuth(rs, tok)
		require.NoError(t, err, "token %s", tok)
	}
	assert.EqualValues(t, 2, conns.Load(), "the second request went again on a new connection")
}
