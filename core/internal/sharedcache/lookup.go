package sharedcache

import (
	"context"
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
					l.share(ctx, time.Time{}, nil, time.Time{}) // releases the lock
					return
				}
				l.ask(ctx, a)
				return
			}
		}
		if polls <= 0 || !c.cfg.Now().Before(deadline) {
			l.ask(ctx, a) // the holder is too slow, or gone: alone
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

// read returns the plaintext of the value stored for the token that may
// be used (nil: none, or a void one; see found), and whether another
// replica holds its lock. An error means the store failed.
func (l *lookup) read(ctx context.Context) (plain []byte, held bool, err error) {
	c := l.c
	vals, err := c.get(ctx, l.key, l.lock, l.key+markerSuffix)
	if err != nil {
		return nil, false, err
	}
	held = vals[1] != nil
	var f found
	f.add(c, &c.keys[0], l.key, l.token, vals[0], vals[2])
	// During a rotation, replicas on an older secret alone write their
	// values and markers under it: one more round trip per older secret.
	for i := 1; i < len(c.keys); i++ {
		old := c.keys[i].storeKey(&c.cfg.Fingerprint, l.token)
		if vals, err = c.get(ctx, old, old+markerSuffix); err != nil {
			return nil, held, err
		}
		f.add(c, &c.keys[i], old, l.token, vals[0], vals[1])
	}
	return f.usable(), held, nil
}

// get reads keys in one store call, and tells the breaker how it went.
func (c *Cache) get(ctx context.Context, keys ...string) ([][]byte, error) {
	var vals [][]byte
	err := c.call(ctx, func(ctx context.Context) (err error) { vals, err = c.cfg.Store.Get(ctx, keys...); return err })
	if err == nil && len(vals) != len(keys) {
		err = errWrongCount
	}
	c.record(err)
	return vals, err
}

// ask asks through a and shares the verdict, sealed with the time read
// before asking: a Forget while the authorization server answers, or
// before the write lands, voids it.
func (l *lookup) ask(ctx context.Context, a Asker) {
	at := l.c.cfg.Now()
	plain, expires := a.Ask(ctx)
	l.share(ctx, at, plain, expires)
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

// share stores plain, obtained at at, until expires, when there is one,
// then releases the
// lock this lookup holds, in the background: the request does not wait on
// the store. The write asks the breaker only once it is sure to be made,
// and reports its outcome either way: when it is the half-open trial, the
// breaker closes or opens again on it, and never waits for a report that
// does not come.
func (l *lookup) share(ctx context.Context, at time.Time, plain []byte, expires time.Time) {
	c := l.c
	var sealed []byte
	var ttl time.Duration
	if plain != nil {
		if aead, err := c.keys[0].valueAEAD(&c.cfg.Fingerprint, l.token); err == nil {
			// Never past Config.TTL: the Forget marker written after it must
			// outlive it.
			sealed, ttl = sealTimed(aead, at, plain, l.key), min(expires.Sub(c.cfg.Now()), c.cfg.TTL)
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
