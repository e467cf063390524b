package core

import (
	"context"
	"errors"
	"time"
)

// verdict is the outcome of asking about a token: the result, and the
// cache entry to keep when the outcome may be cached (never a failure of
// the authorization server).
type verdict struct {
	ti    *TokenInfo
	err   error
	entry cacheEntry
	keep  bool
}

// introspect finds the verdict on a token missing from the first level:
// in the shared cache when there is one, else from the authorization
// server; then keeps it in the first level. It runs once per token for
// all concurrent callers of this process.
func (rs *ResourceServer) introspect(ctx context.Context, key cacheKey, token string) (*TokenInfo, error) {
	var v verdict
	if rs.shared != nil {
		v = rs.shared.resolve(ctx, token, rs.ask)
	} else {
		v = rs.ask(ctx, token)
	}
	if v.keep && rs.cache != nil {
		rs.cache.set(key, v.entry, rs.now())
	}
	return v.ti, v.err
}

// ask asks the authorization server and checks the answer.
func (rs *ResourceServer) ask(ctx context.Context, token string) verdict {
	claims, err := rs.intro.introspect(ctx, token)
	if err != nil {
		return verdict{err: err}
	}
	now := rs.now()
	ti, err := rs.checker.check(claims, now)
	if err != nil {
		var e *authError
		if errors.As(err, &e) && !errors.Is(e.kind, ErrBadResponse) && rs.negTTL > 0 {
			return verdict{err: err, entry: cacheEntry{err: e, expires: now.Add(rs.negTTL)}, keep: true}
		}
		return verdict{err: err}
	}
	return verdict{ti: ti, entry: cacheEntry{info: ti, expires: rs.expiry(ti, now)}, keep: true}
}

// expiry is when a verified answer stops being reused: CacheTTL from now,
// or the token's exp when sooner.
func (rs *ResourceServer) expiry(ti *TokenInfo, now time.Time) time.Time {
	exp := now.Add(rs.cacheTTL)
	if !ti.ExpiresAt.IsZero() && ti.ExpiresAt.Before(exp) {
		exp = ti.ExpiresAt
	}
	return exp
}

// fromShared reads a shared-cache value's plaintext with this server's own
// checks and bounds: a good token's claims are checked again, and no entry
// outlives this server's CacheTTL or negative TTL.
func (rs *ResourceServer) fromShared(plain []byte) (verdict, bool) {
	now := rs.now()
	e, ok := decodeVerdict(plain, rs.checker, now)
	if !ok {
		return verdict{}, false
	}
	if e.info != nil {
		e.expires = minTime(e.expires, rs.expiry(e.info, now))
		return verdict{ti: e.info, entry: e, keep: true}, true
	}
	if rs.negTTL <= 0 {
		return verdict{}, false // this server does not reuse rejections
	}
	e.expires = minTime(e.expires, now.Add(rs.negTTL))
	return verdict{err: e.err, entry: e, keep: true}, true
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
