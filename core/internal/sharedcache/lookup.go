package sharedcache

import (
	"context"
	"log/slog"
	"time"
)

// Asker is what a lookup needs from its caller, for one token.
type Asker interface {
	// Ask finds the verdict without the store (from the authorization
	// server). It returns the plaintext to share, nil when the verdict is
	// not to be shared, and when the value stops being reused.
	Ask(ctx context.Context) (plain []byte, expires time.Time)
	// Accept reads a plaintext from the store and reports whether the
	// caller can use it; false is a miss.
	Accept(plain []byte) bool
}

// Resolve finds the verdict on token, through a: in the store, from the
// replica that holds the token's lock, or by a.Ask. Any store failure
// makes it ask alone, so a request waits on a broken store at most one
// store timeout. The wait for another replica ends at the deadline by the
// clock, or after as many polls as fit in it, whichever comes first: a
// test's clock that stands still cannot hold a request forever.
func (c *Cache) Resolve(ctx context.Context, token string, a Asker) {
	if !c.breaker.allow() {
		a.Ask(ctx)
		return
	}
	l := lookup{c: c, token: token, key: c.keys[0].storeKey(&c.cfg.Fingerprint, token)}
	l.lock = l.key + lockSuffix
	deadline := c.cfg.Now().Add(c.cfg.Wait)
	for polls := c.cfg.Wait / c.poll; ; polls-- {
		plain, held, err := l.read(ctx)
		if err != nil {
			a.Ask(ctx)
			return
		}
		if plain != nil && a.Accept(plain) {
			return
		}
		if !held {
			got, err := l.take(ctx)
			if err != nil {
				a.Ask(ctx)
				return
			}
			if got {
				// Another replica may have written the value and released the
				// lock between the read above and this lock: read once more
				// before asking, so that a burst costs one introspection.
				if plain, _, err := l.read(ctx); err == nil && plain != nil && a.Accept(plain) {
					l.share(ctx, nil, time.Time{}) // releases the lock
					return
				}
				plain, expires := a.Ask(ctx)
				l.share(ctx, plain, expires)
				return
			}
		}
		if polls <= 0 || !c.cfg.Now().Before(deadline) {
			plain, expires := a.Ask(ctx) // the holder is too slow, or gone: alone
			l.share(ctx, plain, expires)
			return
		}
		time.Sleep(c.poll)
	}
}

// lookup is one token's keys in the store.
type lookup struct {
	c      *Cache
	token  string
	key    string // under the first secret
	lock   string
	lockID string // set once this replica holds the lock
}

// read returns the plaintext stored for the token under the newest secret
// whose value opens (nil: none), and whether another replica holds its
// lock. An error means the store failed.
func (l *lookup) read(ctx context.Context) (plain []byte, held bool, err error) {
	c := l.c
	var vals [][]byte
	err = c.call(ctx, func(ctx context.Context) (err error) { vals, err = c.cfg.Store.Get(ctx, l.key, l.lock); return err })
	if err == nil && len(vals) != 2 {
		err = errWrongCount
	}
	c.record(err)
	if err != nil {
		return nil, false, err
	}
	held = vals[1] != nil
	if p, ok := c.open(&c.keys[0], l.key, l.token, vals[0]); ok {
		return p, held, nil
	}
	for i := 1; i < len(c.keys); i++ {
		old := c.keys[i].storeKey(&c.cfg.Fingerprint, l.token)
		err = c.call(ctx, func(ctx context.Context) (err error) { vals, err = c.cfg.Store.Get(ctx, old); return err })
		c.record(err)
		if err != nil {
			return nil, held, err
		}
		if len(vals) == 1 {
			if p, ok := c.open(&c.keys[i], old, l.token, vals[0]); ok {
				return p, held, nil
			}
		}
	}
	return nil, held, nil
}

// take tries to take the token's lock. An error means the store failed.
func (l *lookup) take(ctx context.Context) (bool, error) {
	c := l.c
	id := lockID()
	var got bool
	err := c.call(ctx, func(ctx context.Context) (err error) {
		got, err = c.cfg.Store.SetNX(ctx, l.lock, []byte(id), 2*c.cfg.Wait)
		return err
	})
	c.record(err)
	if err != nil {
		return false, err
	}
	if got {
		l.lockID = id
	}
	return got, nil
}

// open opens a stored value; one that does not open is a miss.
func (c *Cache) open(k *sealKeys, key, token string, sealed []byte) ([]byte, bool) {
	if sealed == nil {
		return nil, false
	}
	aead, err := k.valueAEAD(&c.cfg.Fingerprint, token)
	if err != nil {
		return nil, false
	}
	plain, err := open(aead, sealed, key)
	if err != nil {
		c.cfg.Logger.LogAttrs(context.Background(), slog.LevelDebug, "oidcrs: shared cache value ignored", slog.String("error", err.Error()))
		return nil, false
	}
	return plain, true
}

// share stores plain until expires, when there is one, then releases the
// lock this lookup holds, in the background: the request does not wait on
// the store. The write asks the breaker only once it is sure to be made,
// and reports its outcome either way: when it is the half-open trial, the
// breaker closes or opens again on it, and never waits for a report that
// does not come.
func (l *lookup) share(ctx context.Context, plain []byte, expires time.Time) {
	c := l.c
	var sealed []byte
	var ttl time.Duration
	if plain != nil {
		if aead, err := c.keys[0].valueAEAD(&c.cfg.Fingerprint, l.token); err == nil {
			sealed, ttl = seal(aead, plain, l.key), expires.Sub(c.cfg.Now())
		}
	}
	if sealed != nil && ttl > 0 && !c.breaker.allow() {
		sealed = nil
	}
	if (sealed == nil || ttl <= 0) && l.lockID == "" {
		return
	}
	key, lock, id := l.key, l.lock, l.lockID
	c.pending.Add(1)
	end := func() {}
	if sealed != nil && ttl > 0 {
		end = c.begin(key)
	}
	go func() {
		defer c.pending.Done()
		defer end()
		if sealed != nil && ttl > 0 {
			c.record(c.call(ctx, func(ctx context.Context) error { return c.cfg.Store.Set(ctx, key, sealed, ttl) }))
		}
		if id != "" {
			_ = c.call(ctx, func(ctx context.Context) error { return c.cfg.Store.DeleteIfEqual(ctx, lock, []byte(id)) })
		}
	}()
}
