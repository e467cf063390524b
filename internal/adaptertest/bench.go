package adaptertest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// BenchToken looks like an opaque access token (43 characters of
// base64url), so that core never tries to decode it as base64. The
// server started by StartBench knows it.
const BenchToken = "kVq3u6n0-Xq_7Jc2mTz9pLr4wYb8sDe1fGh5iKj3lMn"

// BenchBody is the fixed body benchmark handlers write.
var BenchBody = []byte(`{"ok":true}`)

// StartBench starts a JSON-mode oidcrstest.Server that knows BenchToken
// (subject oidcrstest.DefaultSubject) and a ResourceServer that trusts it,
// caching for an hour: the fixture of the adapters' Bare vs CachedHit
// benchmarks.
func StartBench(b *testing.B) (*oidcrstest.Server, *core.ResourceServer) {
	b.Helper()
	as := oidcrstest.Start(b, oidcrstest.Config{})
	now := time.Now()
	as.SetAnswer(BenchToken, map[string]any{"active": true, "iss": as.URL,
		"client_id": oidcrstest.DefaultSPClientID, "sub": oidcrstest.DefaultSubject, "scope": oidcrstest.DefaultScope,
		"token_type": "Bearer", "iat": now.Unix(), "exp": now.Add(24 * time.Hour).Unix()})
	st := as.Settings("")
	st.CacheTTL = time.Hour
	rs, err := core.New(st)
	if err != nil {
		b.Fatal(err)
	}
	return as, rs
}

// BenchRequest returns GET path carrying BenchToken.
func BenchRequest(path string) *http.Request {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+BenchToken)
	return req
}

// discardWriter keeps the status and drops the body; reset clears its
// header map, keeping the map's storage, so that serving allocates nothing
// on the writer's side.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

func (w *discardWriter) serve(h http.Handler, req *http.Request) int {
	h.ServeHTTP(w, req)
	code := w.code
	clear(w.h)
	w.code = 0
	return code
}

// BenchServe serves req with h b.N times through a reusable writer,
// failing on any status but 200. The first request, before the timer,
// fills the cache on authenticated routes.
func BenchServe(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	w := &discardWriter{h: http.Header{}}
	if code := w.serve(h, req); code != http.StatusOK {
		b.Fatalf("status %d, want 200", code)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := w.serve(h, req); code != http.StatusOK {
			b.Fatalf("status %d, want 200", code)
		}
	}
}

// BenchServeParallel is BenchServe under b.RunParallel, one writer per
// goroutine.
func BenchServeParallel(b *testing.B, h http.Handler, req *http.Request) {
	b.Helper()
	if code := (&discardWriter{h: http.Header{}}).serve(h, req); code != http.StatusOK {
		b.Fatalf("status %d, want 200", code)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			if code := w.serve(h, req); code != http.StatusOK {
				b.Errorf("status %d, want 200", code)
				return
			}
		}
	})
}

// CheckOneIntrospection fails b unless as was asked exactly once: every
// timed request was a cache hit.
func CheckOneIntrospection(b *testing.B, as *oidcrstest.Server) {
	b.Helper()
	if n := as.IntrospectionCalls(); n != 1 {
		b.Fatalf("%d introspections, want 1 (every timed request a cache hit)", n)
	}
}
