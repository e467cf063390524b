package core_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

func (c *perfClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *perfClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// Resource server keys, generated once: RSA generation is slow under -race.
var (
	perfRSAKey = sync.OnceValues(func() (string, error) { return oidcrstest.GenerateRSAKeyPEM(2048) })
	perfECKey  = sync.OnceValues(oidcrstest.GenerateECKeyPEM)
)

// perfSetup describes a fake authorization server and a resource server
// trusting it.
type perfSetup struct {
	mode oidcrstest.Mode // JSON by default
	// ec selects, in JWT mode, ECDH-ES + A256GCM answers signed ES256;
	// otherwise RSA-OAEP + A256GCM signed RS256.
	ec   bool
	edit func(*core.Settings)
	opts []core.Option
}

// perfOK answers 204 when the middleware put a TokenInfo in the context,
// 500 otherwise.
var perfOK = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, ok := core.FromContext(r.Context()); !ok {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
})

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
