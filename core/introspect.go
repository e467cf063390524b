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
// it routes the token to its configuration once, then finds the verdict
// in the shared cache when there is one, else asks; then keeps it in the
// first level. It runs once per token for all concurrent callers of this
// process.
func (rs *ResourceServer) introspect(ctx context.Context, key cacheKey, token string) (*TokenInfo, error) {
	var v verdict
	if cfg, local, err := rs.issuers.route(ctx, token); err != nil {
		v = rs.rejected(err, rs.now())
	} else if rs.shared != nil {
		q := &sharedAsk{rs: rs, cfg: cfg, local: local, token: token}
		rs.shared.Resolve(ctx, token, q)
		rs.mon.cache(ctx, 2, q.hit)
		v = q.v
	} else {
		v = rs.ask(ctx, cfg, local, token)
	}
	v = rs.staleOnError(ctx, key, v)
	if v.keep && rs.cache != nil {
		if v.entry.Val.info != nil {
			rs.cache.Set(key, v.entry, rs.now())
		} else {
			// A rejection: its volume is the client's to choose, so it never
			// takes a verified answer's place.
			rs.cache.SetNegative(key, v.entry, rs.now())
		}
	}
	return v.ti, v.err
}

// ask checks a token with its configuration: locally for an access token
// of a locally verifying issuer, else by asking the authorization server;
// then checks the claims.
func (rs *ResourceServer) ask(ctx context.Context, cfg *issuer, local bool, token string) verdict {
	now := rs.now()
	var claims map[string]any
	var err error
	checker := cfg.checker
	if local {
		claims, err = cfg.local.verify(ctx, token)
		checker = cfg.localChecker
		if errors.Is(err, ErrInvalidToken) {
			return rs.rejected(err, now)
		}
	} else {
		claims, err = cfg.intro.introspect(ctx, token)
		if !notAsked(err) { // a refusal of the call limit or a pause: not the AS's doing
			rs.mon.recordHealth(ctx, EndpointIntrospection, err)
		}
	}
	if err != nil {
		return verdict{err: err}
	}
	ti, err := checker.check(claims, now)
	if err != nil && local && errors.Is(err, ErrBadResponse) {
		// A claim of the wrong type is the token's fault, not the AS's.
		err = newError(ErrInvalidToken, descTokenMalformed, err)
	}
	if err != nil {
		return rs.rejected(err, now)
	}
	return verdict{ti: ti, entry: cacheEntry{Val: cached{info: ti}, Expires: rs.expiry(ti, now)}, keep: true}
}

// rejected is the verdict of a refused token: kept for the negative TTL,
// unless it is an untrusted answer (never cached).
func (rs *ResourceServer) rejected(err error, now time.Time) verdict {
	var e *authError
	if errors.As(err, &e) && !errors.Is(e.kind, ErrBadResponse) && !errors.Is(e.kind, ErrUnavailable) && rs.negTTL > 0 {
		return verdict{err: err, entry: cacheEntry{Val: cached{err: e}, Expires: now.Add(rs.negTTL)}, keep: true}
	}
	return verdict{err: err}
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
func (rs *ResourceServer) fromShared(cfg *issuer, local bool, plain []byte) (verdict, bool) {
	now := rs.now()
	checker := cfg.checker
	if local {
		checker = cfg.localChecker
	}
	e, ok := decodeVerdict(plain, checker, now)
	if !ok {
		return verdict{}, false
	}
	if e.Val.info != nil {
		e.Expires = minTime(e.Expires, rs.expiry(e.Val.info, now))
		return verdict{ti: e.Val.info, entry: e, keep: true}, true
	}
	if rs.negTTL <= 0 {
		return verdict{}, false // this server does not reuse rejections
	}
	e.Expires = minTime(e.Expires, now.Add(rs.negTTL))
	return verdict{err: e.Val.err, entry: e, keep: true}, true
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
