package core

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/oidcrs/oidcrs/internal/failure"
)

// Stale-if-error (Settings.CacheStaleIfError): a verified answer is kept
// past its cache TTL, in the first level and in the shared cache, for the
// window; it is never a hit there, and is used only when asking the
// authorization server again failed as an outage does (staleAllowed). A
// rejection drops it; Forget drops it and voids the shared value like any
// other.

// staleUntil is how long the verified answer of e may be used on error:
// CacheStaleIfError past e.Expires, never past the token's exp. It is
// the zero time without a window.
func (rs *ResourceServer) staleUntil(e cacheEntry) time.Time {
	ti := e.Val.info
	if rs.settings.CacheStaleIfError <= 0 || ti == nil {
		return time.Time{}
	}
	until := e.Expires.Add(rs.settings.CacheStaleIfError)
	if !ti.ExpiresAt.IsZero() && ti.ExpiresAt.Before(until) {
		until = ti.ExpiresAt
	}
	if !until.After(e.Expires) {
		return time.Time{}
	}
	return until
}

// staleAllowed reports whether err, the failure to check a token, is an
// outage that a stale answer may ride out: the authorization server (or
// its discovery or key set) could not be reached or timed out, or it
// answered 5xx or 429 Too Many Requests. 429 is the server saying it is
// overloaded: an answer from the cache is the least it can be asked.
// Every other failure is an answer that must be heard: any other status
// (our own credentials refused, a wrong endpoint), an answer that cannot
// be trusted, a key set that lacks the token's key.
func staleAllowed(err error) bool {
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadResponse) || errors.Is(err, errKIDNotYetFetched) ||
		failure.KindOf(err) == failure.ClientAuth {
		return false
	}
	var status statusError
	if errors.As(err, &status) {
		return status >= 500 || status == http.StatusTooManyRequests
	}
	return true
}

// rejection reports whether err is the token's refusal, not a failure.
func rejection(err error) bool {
	return errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrInsufficientScope)
}

// staleOnError is the stale window's part of a verdict found on a miss,
// before the first level keeps it: a verified answer is kept here, with
// its window (the verdict returned is then not to be kept again); a
// rejection not kept (a kept one takes the entry's place) drops the
// token's stale entry; a failure staleAllowed accepts is answered with the
// stale entry, when there is one.
func (rs *ResourceServer) staleOnError(ctx context.Context, key cacheKey, v verdict) verdict {
	if rs.settings.CacheStaleIfError <= 0 || rs.cache == nil {
		return v
	}
	switch {
	case v.keep && v.entry.Val.info != nil:
		if until := rs.staleUntil(v.entry); !until.IsZero() {
			rs.cache.SetStale(key, v.entry, until, rs.now())
			v.keep = false
		}
	case v.err == nil:
	case rejection(v.err):
		if !v.keep {
			rs.cache.Remove(key)
		}
	case staleAllowed(v.err):
		now := rs.now()
		if e, ok := rs.cache.GetStale(key, now); ok && e.Val.info != nil && beforeExp(e.Val.info, now) {
			rs.usedStale(ctx, 1)
			return verdict{ti: e.Val.info}
		}
	}
	return v
}

// beforeExp reports whether ti's token has not expired at now.
func beforeExp(ti *TokenInfo, now time.Time) bool {
	return ti.ExpiresAt.IsZero() || now.Before(ti.ExpiresAt)
}

// usedStale reports one use of a stale answer: to the Observer, and to
// the monitor as a request served from the cache during the outage.
func (rs *ResourceServer) usedStale(ctx context.Context, level int) {
	if rs.mon.down.Load() > 0 {
		rs.mon.served.Add()
	}
	if o := rs.mon.obs; o != nil && o.Stale != nil {
		o.Stale(ctx, level)
	}
	if rs.logger.Enabled(ctx, slog.LevelDebug) {
		rs.logger.LogAttrs(ctx, slog.LevelDebug, "oidcrs: authorization server failed; a stale verdict was used",
			slog.Int("level", level))
	}
}
