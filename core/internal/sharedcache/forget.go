package sharedcache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Forget makes token's values void on every replica and tells every
// replica to drop its first-level entry key. In order, it:
//
//  1. waits for this replica's own writes of the value in flight (the
//     request that calls Forget may have just made one), or until ctx
//     ends: a write that lands later is void anyway;
//  2. writes a marker holding the time of the Forget under every secret,
//     for Config.TTL, the longest a value lives: a value sealed before it
//     is void for every replica (see found), whether a write lands late or
//     someone with write access to the store writes a saved value back;
//  3. deletes the values under every secret;
//  4. publishes one message per secret, so that replicas on any of them
//     during a rotation read one.
//
// Its error names the store: a marker not written, a value not deleted,
// or an invalidation that reached no replica because every publish
// failed. One failed publish among several is only observed (Observe
// logs it): replicas on the secrets whose message went out drop the
// entry, the others at its TTL.
func (c *Cache) Forget(ctx context.Context, key [32]byte, token string) error {
	fp := &c.cfg.Fingerprint
	_ = c.settled(ctx, c.keys[0].storeKey(fp, token))
	at := c.cfg.Now()
	var errs []error
	keys := make([]string, len(c.keys))
	for i := range c.keys {
		keys[i] = c.keys[i].storeKey(fp, token)
		marker := keys[i] + markerSuffix
		aead, err := c.keys[i].valueAEAD(fp, token)
		if err == nil {
			sealed := sealTimed(aead, at, nil, marker)
			err = c.call(ctx, func(ctx context.Context) error { return c.cfg.Store.Set(ctx, marker, sealed, c.cfg.TTL) })
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("forget marker not written to the shared store: %w", err))
		}
	}
	for _, k := range keys {
		if err := c.call(ctx, func(ctx context.Context) error { return c.cfg.Store.Delete(ctx, k) }); err != nil {
			errs = append(errs, fmt.Errorf("value not deleted from the shared store: %w", err))
		}
	}
	var failed []error
	for i := range c.keys {
		msg := seal(c.keys[i].inval, messageVersion, key[:], invalChannel)
		if err := c.call(ctx, func(ctx context.Context) error { return c.cfg.Store.Publish(ctx, invalChannel, msg) }); err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) == len(c.keys) {
		errs = append(errs, fmt.Errorf("invalidation reached no replica through the shared store: %w", errors.Join(failed...)))
	}
	return errors.Join(errs...)
}

// found is what a read found under a token's keys, under every secret:
// the value that opens written last, and the latest Forget marker.
//
// A value not written after the marker is void, as is every value when a
// marker does not open: something wrote it that should not have, and
// what the marker said is lost (fail closed). A value written after the
// marker (the token was checked again since) is used. The markers of
// every secret count: a replica on an older secret alone writes its
// marker under that secret only.
//
// The two times come from the clocks of two replicas, which are assumed
// synchronised (NTP). A skew of s costs this much: a value obtained up to
// s after a Forget by a replica whose clock runs s behind is void until
// the marker expires (more introspections, never a wrong answer), and a
// value obtained up to s before a Forget by a replica whose clock runs s
// ahead is still used after it (the Forget takes effect s late).
type found struct {
	plain   []byte
	written time.Time
	value   bool // plain and written are set
	forgot  time.Time
	marked  bool // forgot is set
	spoiled bool // a marker does not open
}

// add reads one secret's value and marker of token, the value stored
// under key.
func (f *found) add(c *Cache, k *sealKeys, key, token string, value, marker []byte) {
	if value == nil && marker == nil {
		return
	}
	aead, err := k.valueAEAD(&c.cfg.Fingerprint, token)
	if err != nil {
		f.spoiled = true
		return
	}
	if marker != nil {
		at, rest, err := openTimed(aead, marker, key+markerSuffix)
		switch {
		case err != nil || len(rest) != 0:
			f.spoiled = true
			c.ignored("oidcrs: shared cache marker does not open; the value is ignored", err)
		case !f.marked || at.After(f.forgot):
			f.forgot, f.marked = at, true
		}
	}
	if value != nil {
		at, plain, err := openTimed(aead, value, key)
		switch {
		case err != nil:
			c.ignored("oidcrs: shared cache value ignored", err)
		case !f.value || at.After(f.written):
			f.plain, f.written, f.value = plain, at, true
		}
	}
}

// usable returns the plaintext of the value found, nil when there is none
// or it is void.
func (f *found) usable() []byte {
	if !f.value || f.spoiled || (f.marked && !f.written.After(f.forgot)) {
		return nil
	}
	return f.plain
}

// ignored logs why something read from the store was not used; err says
// nothing of the token nor of the value.
func (c *Cache) ignored(msg string, err error) {
	if err == nil {
		err = errSealed
	}
	c.cfg.Logger.LogAttrs(context.Background(), slog.LevelDebug, msg, slog.String("error", err.Error()))
}
