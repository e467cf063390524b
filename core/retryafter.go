package core

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxPause bounds how long an endpoint's Retry-After stops its calls.
const maxPause = 60 * time.Second

// pauses honours the authorization server's Retry-After: a 429 or 503
// that carries one stops the calls to that endpoint (its URL) for that
// long, at most maxPause. Meanwhile the requests that need it are refused
// with 503 and the Retry-After that remains, without a call; cached
// verdicts are not affected. A pause is logged once, at Warn, when it
// starts; the call that started it reached the Observer as a Call with
// its status, and its endpoint's health as a failure. The clock is the
// ResourceServer's.
type pauses struct {
	now    func() time.Time
	logger *slog.Logger
	mu     sync.Mutex
	m      map[string]time.Time // URL: end of its pause; bounded by the configured endpoints
}

// check returns the refusal of a call to u while u is paused, else nil.
func (p *pauses) check(ep Endpoint, u string) error {
	p.mu.Lock()
	until, ok := p.m[u]
	p.mu.Unlock()
	if !ok {
		return nil
	}
	left := until.Sub(p.now())
	if left <= 0 {
		return nil
	}
	e := newError(ErrUnavailable, descASPaused, &notAskedError{endpoint: ep, why: "the authorization server asked for a pause (Retry-After)"})
	e.retryAfter = secondsUntil(left)
	return e
}

// start pauses u for retryAfter, a value that retryAfter (client.go)
// accepted: delay-seconds or an HTTP date. It logs only a pause that
// begins: calls in flight when the first answer came may bring more, and
// they extend the pause silently.
func (p *pauses) start(ctx context.Context, ep Endpoint, u string, status int, retryAfter string) {
	now := p.now()
	d, ok := pauseLength(retryAfter, now)
	if !ok {
		return
	}
	until := now.Add(d)
	p.mu.Lock()
	prev, had := p.m[u]
	begins := !had || !prev.After(now)
	if begins || until.After(prev) {
		p.m[u] = until
	}
	p.mu.Unlock()
	if begins {
		p.logger.LogAttrs(ctx, slog.LevelWarn, "oidcrs: the authorization server asked for a pause: its calls stop until it ends",
			slog.String("endpoint", string(ep)), slog.Int("status", status), slog.Duration("pause", d))
	}
}

// pauseLength reads a Retry-After as a wait from now, at most maxPause;
// none (false) when it is 0 or in the past.
func pauseLength(v string, now time.Time) (time.Duration, bool) {
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(min(n, int(maxPause/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	d = min(d, maxPause)
	return d, d > 0
}
