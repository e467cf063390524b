package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// perfClock is the real clock moved forward by Advance, for core.WithClock;
// it is safe for concurrent use. It never runs behind the fake
// authorization server, which stamps iat from the real clock.
type perfClock struct{ offset atomic.Int64 }

func newPerfClock() *perfClock { return &perfClock{} }

// startPerf starts the fake authorization server and a resource server;
// in JWT mode the server encrypts to the resource server's public key.
func startPerf(tb testing.TB, p perfSetup) (*oidcrstest.Server, *core.ResourceServer) {
	tb.Helper()
	cfg := oidcrstest.Config{Mode: p.mode}
	var pem, keyType string
	if p.mode == oidcrstest.JWT {
		var err error
		if p.ec {
			pem, err = perfECKey()
			keyType, cfg.KeyAlg, cfg.SigningAlg = "EC", jose.ECDH_ES, jose.ES256
		} else {
			pem, err = perfRSAKey()
			keyType, cfg.KeyAlg, cfg.SigningAlg = "RSA", jose.RSA_OAEP, jose.RS256
		}
		require.NoError(tb, err)
		cfg.ContentEnc = jose.A256GCM
		keys, err := core.ParsePrivateKeys(pem, keyType)
		require.NoError(tb, err)
		pub := keys[0].Public()
		pub.Algorithm = string(cfg.KeyAlg)
		cfg.RSKey = &pub
	}
	as := oidcrstest.Start(tb, cfg)
	st := as.Settings(pem)
	st.KeyType = keyType
	if p.edit != nil {
		p.edit(&st)
	}
	rs, err := core.New(st, p.opts...)
	require.NoError(tb, err)
	return as, rs
}

// perfServe sends one GET with token to h.
func perfServe(h http.Handler, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func perfGet(h http.Handler, token string) int { return perfServe(h, token).Code }

// perfConcurrent runs n calls of f on workers goroutines released at once
// (workers <= 0: one goroutine per call) and returns their results.
func perfConcurrent(n, workers int, f func(i int) int) []int {
	if workers <= 0 || workers > n {
		workers = n
	}
	out := make([]int, n)
	var next atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			<-start
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				out[i] = f(i)
			}
		})
	}
	close(start)
	wg.Wait()
	return out
}
