package realas_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// runTargets runs every case for every target and mode against one running
// server, then stops it with stop and runs the AS-stopped case.
func runTargets(t *testing.T, stop func(), targets ...target) {
	// Resource servers for the stopped case, built while the AS runs and
	// never used before it stops: nothing of theirs is cached.
	type idle struct {
		tg     target
		mode   string
		app    rsApp
		appErr error
		token  string
	}
	var idles []idle
	for _, tg := range targets {
		for _, mode := range tg.modes() {
			tok, err := tg.mint(context.Background(), "groups", false)
			require.NoError(t, err)
			app, appErr := newApp(t, tg.env(mode, nil))
			idles = append(idles, idle{tg, mode, app, appErr, tok.Access})
		}
	}
	t.Run("cases", func(t *testing.T) {
		for _, tg := range targets {
			for _, mode := range tg.modes() {
				t.Run(tg.name+"/"+mode, func(t *testing.T) {
					t.Parallel()
					// Built once the first case that is not pending asks.
					var once sync.Once
					var app rsApp
					var appErr error
					get := func(ct *testing.T) rsApp {
						once.Do(func() { app, appErr = newApp(t, tg.env(mode, nil)) })
						require.NoError(ct, appErr)
						return app
					}
					runCases(t, tg, mode, get)
				})
			}
		}
	})
	stop()
	t.Run("stopped", func(t *testing.T) {
		for _, in := range idles {
			t.Run(in.tg.name+"/"+in.mode, func(t *testing.T) {
				recordT(t, in.tg.name, in.mode, caseStopped)
				require.NoError(t, in.appErr)
				// Unavailable, never invalid_token: the token is not at fault.
				want(t, in.app.call(t, in.token), http.StatusServiceUnavailable, "temporarily_unavailable")
			})
		}
	})
}

// runCases runs the cases of one target and mode, each on its own
// goroutine (most of their time is spent waiting).
func runCases(t *testing.T, tg target, mode string, getApp func(*testing.T) rsApp) {
	ctx := context.Background()
	local := mode != modeJSON // JWTs are checked here, not introspected
	run := func(kase string, f func(t *testing.T, app rsApp)) {
		t.Run(kase, func(t *testing.T) {
			t.Parallel()
			recordT(t, tg.name, mode, kase)
			f(t, getApp(t))
		})
	}
	run(caseValid, func(t *testing.T, app rsApp) {
		tok, err := tg.mint(ctx, "groups", false)
		require.NoError(t, err)
		a := app.call(t, tok.Access)
		want(t, a, http.StatusOK, "")
		require.Equal(t, tg.sub, a.sub)
	})
	run(caseScope, func(t *testing.T, app rsApp) {
		tok, err := tg.mint(ctx, "admin", false)
		require.NoError(t, err)
		want(t, app.call(t, tok.Access), http.StatusForbidden, "insufficient_scope")
	})
	run(caseUnknown, func(t *testing.T, app rsApp) {
		want(t, app.call(t, "unknown-token-0123456789"), http.StatusUnauthorized, "invalid_token")
	})
	run(caseExpired, func(t *testing.T, app rsApp) {
		start := time.Now()
		tok, err := tg.mint(ctx, "groups", true)
		issued := time.Now()
		require.NoError(t, err)
		require.LessOrEqual(t, tok.Expires, shortSeconds, "expires_in")
		first := app.call(t, tok.Access)
		// Accepted while it lives; a loaded machine may come too late.
		if time.Since(start) < time.Duration(shortSeconds-1)*time.Second {
			want(t, first, http.StatusOK, "")
		}
		// exp is at most issued+lifetime, in whole seconds: one more second
		// is surely past it.
		time.Sleep(time.Until(issued.Add(time.Duration(tok.Expires+1)*time.Second + 500*time.Millisecond)))
		want(t, app.call(t, tok.Access), http.StatusUnauthorized, "invalid_token")
	})
	run(caseRevoked, func(t *testing.T, app rsApp) {
		tok, err := tg.mint(ctx, "groups", false)
		require.NoError(t, err)
		want(t, app.call(t, tok.Access), http.StatusOK, "")
		require.NoError(t, tg.revoke(ctx, tok.Access))
		require.NoError(t, app.rs.Forget(ctx, tok.Access))
		if local {
			// A JWT checked locally cannot learn of its revocation: it
			// stays good until exp. That is what local checking trades.
			want(t, app.call(t, tok.Access), http.StatusOK, "")
			return
		}
		want(t, app.call(t, tok.Access), http.StatusUnauthorized, "invalid_token")
	})
	run(caseRefresh, func(t *testing.T, app rsApp) {
		tok, err := tg.code(ctx, "user-refresh")
		require.NoError(t, err)
		require.NotEmpty(t, tok.Refresh, "the code flow gave no refresh token")
		want(t, app.call(t, tok.Refresh), http.StatusUnauthorized, "invalid_token")
		// The refresh token itself works where it belongs: the token
		// endpoint gives a new access token, which the RS accepts.
		next, err := tg.refresh(ctx, tok.Refresh)
		require.NoError(t, err)
		want(t, app.call(t, next.Access), http.StatusOK, "")
	})
	if local {
		run(caseAudience, func(t *testing.T, app rsApp) {
			tok, err := tg.mintOther(ctx)
			require.NoError(t, err)
			want(t, app.call(t, tok.Access), http.StatusUnauthorized, "invalid_token")
		})
	}
	run(caseIDToken, func(t *testing.T, app rsApp) {
		tok, err := tg.code(ctx, "user-id")
		require.NoError(t, err)
		require.NotEmpty(t, tok.ID, "the code flow gave no ID token")
		want(t, app.call(t, tok.ID), http.StatusUnauthorized, "invalid_token")
		// The access token of the same flow is good.
		want(t, app.call(t, tok.Access), http.StatusOK, "")
	})
}
