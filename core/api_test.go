package core_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// The v1 API's promises: one complete decision per entry point, errors no
// caller can change, and wiring mistakes that show at start-up.

// TestAuthenticateRunsTheUserHook: the one public entry point makes the
// whole decision, user hook included (before, Authenticate skipped it and
// accepted a token without sub).
func TestAuthenticateRunsTheUserHook(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	var calls int
	rs := btRS(t, as, nil, core.WithUserLookup(func(_ context.Context, ti *core.TokenInfo) (any, error) {
		calls++
		return "user:" + ti.Subject, nil
	}))
	ctx, err := rs.Authenticate(context.Background(), []string{"Bearer " + as.Mint(nil)})
	require.NoError(t, err)
	u, ok := core.UserFromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, "user:"+oidcrstest.DefaultSubject, u)
	assert.Equal(t, 1, calls)

	_, err = rs.Authenticate(context.Background(), []string{"Bearer " + as.Mint(map[string]any{"sub": nil})})
	btRejected(t, rs, err, core.ErrInvalidToken, http.StatusUnauthorized, core.DescNoSubject)
	assert.Equal(t, 1, calls, "no hook call without sub")
}

// TestErrorsCannotBeChanged: the returned errors have no exported field,
// so a caller cannot change what a later request is answered, and
// errors.Is against the sentinels still works.
func TestErrorsCannotBeChanged(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, func(s *core.Settings) { s.DisableCache = false })
	first := rs.ErrorResponse(func() error { _, err := btAuth(rs, "revoked"); return err }())
	for _, hdr := range [][]string{nil, {"Bearer "}, {"Bearer revoked"}, {"Bearer a", "Bearer b"}} {
		_, err := rs.Authenticate(context.Background(), hdr)
		require.Error(t, err)
		typ := reflect.TypeOf(err)
		require.Equal(t, reflect.Pointer, typ.Kind())
		for i := range typ.Elem().NumField() {
			assert.False(t, typ.Elem().Field(i).IsExported(), "%s has the exported field %s", typ, typ.Elem().Field(i).Name)
		}
		assert.False(t, typ.Elem().Field(0).IsExported())
	}
	again := rs.ErrorResponse(func() error { _, err := btAuth(rs, "revoked"); return err }())
	assert.Equal(t, first, again, "a cached rejection answers the same")
}

// TestNilResourceServer: a nil server fails closed at run time and panics
// at setup, as http.Handle does with a nil handler.
func TestNilResourceServer(t *testing.T) {
	t.Parallel()
	var rs *core.ResourceServer
	_, err := rs.Authenticate(context.Background(), []string{"Bearer abc"})
	require.ErrorIs(t, err, core.ErrMisconfigured)
	assert.Equal(t, http.StatusUnauthorized, rs.ErrorResponse(err).Status)
	assert.Equal(t, `Bearer realm="oidcrs"`, rs.ErrorResponse(err).WWWAuthenticate)
	rec := httptest.NewRecorder()
	rs.JWKSHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/jwks", nil))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Panics(t, func() { rs.Middleware() })
	assert.Panics(t, func() { rs.RequireScopes(core.AnyScope("a")) })
	assert.Equal(t, "core.ResourceServer(nil)", rs.String())
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

// TestMemoryCacheEvictsByTheGivenClock: set uses the ResourceServer's
// clock (WithClock), not the wall clock, to find expired entries.
func TestMemoryCacheEvictsByTheGivenClock(t *testing.T) {
	t.Parallel()
	c := core.NewMemoryCache(1000)
	t0 := time.Now().Add(time.Hour) // the injected clock runs an hour ahead
	for i := range 1000 {
		c.Set(core.KeyOf("old-"+string(rune('a'+i%26))+strconv.Itoa(i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: t0.Add(time.Second)}, t0)
	}
	later := t0.Add(time.Minute) // the old entries have expired by the injected clock, not by the wall clock
	for i := range 300 {
		c.Set(core.KeyOf("new-"+strconv.Itoa(i)), core.CacheEntry{Info: &core.TokenInfo{}, Expires: later.Add(time.Hour)}, later)
	}
	for i := range 300 {
		_, ok := c.Get(core.KeyOf("new-"+strconv.Itoa(i)), later)
		require.True(t, ok, "live entry %d was evicted while expired ones remained", i)
	}
}

// authenticate runs rs.Authenticate on one Authorization header value and
// returns the TokenInfo it put in the context.
func authenticate(rs *core.ResourceServer, ctx context.Context, header string) (*core.TokenInfo, error) {
	out, err := rs.Authenticate(ctx, []string{header})
	if err != nil {
		if out != ctx {
			return nil, errors.New("Authenticate returned a new context with its error")
		}
		return nil, err
	}
	ti, ok := core.FromContext(out)
	if !ok {
		return nil, errors.New("Authenticate succeeded without a TokenInfo in the context")
	}
	return ti, nil
}
