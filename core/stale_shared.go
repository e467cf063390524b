package core

import (
	"context"
	"time"
)

// The shared cache's part of stale-if-error. The store keeps a verified
// answer for its TTL plus the window (see sharedAsk.Ask), and a Forget
// marker as long (see newSharedCache): a value written before a Forget is
// void for as long as it may live. A value past its TTL is never a hit:
// Accept keeps it aside (keepStale), and it is used only when asking
// fails as an outage does (onError).

// keepStale keeps plain, a value of the store that Accept did not take,
// for onError, when stale-if-error is on and it holds a verified answer.
func (q *sharedAsk) keepStale(plain []byte) {
	if q.rs.settings.CacheStaleIfError > 0 && len(plain) > 0 && plain[0] == verdictGood {
		q.stale = plain
	}
}

// onError handles a verdict not to be shared, made after the store held a
// value past its TTL (q.stale). A failure staleAllowed accepts is answered
// with that value, while it is inside its window and its token's claims
// still pass. A rejection voids the value in the store with Forget (it is
// not overwritten: this server does not share rejections), so that no
// replica serves it stale.
func (q *sharedAsk) onError(ctx context.Context) {
	rs := q.rs
	if q.stale == nil || q.v.err == nil {
		return
	}
	if rejection(q.v.err) {
		_ = rs.shared.Forget(ctx, rs.fp.key(q.token), q.token)
		return
	}
	if !staleAllowed(q.v.err) {
		return
	}
	checker := q.cfg.checker
	if q.local {
		checker = q.cfg.localChecker
	}
	now := rs.now()
	e, ok := decodeEntry(q.stale, checker, now)
	if !ok || e.Val.info == nil || !now.Before(rs.staleUntil(e)) || !beforeExp(e.Val.info, now) {
		return
	}
	rs.usedStale(ctx, 2)
	q.v = verdict{ti: e.Val.info}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
