package sharedcache

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"
)

// ErrSkipped is Once's error while the breaker keeps the store out of use
// after repeated failures.
var ErrSkipped = errors.New("shared cache skipped after repeated failures")

// onceValue is what a Once key holds: only its presence counts.
var onceValue = []byte{1}

// Once records id in the store for ttl unless it is there already, and
// reports whether it was not: the first sight, fleet-wide, of a DPoP
// proof (id hashes its key and jti). The key is a hash of the
// fingerprint and id, the same under every secret, so that replicas in
// the middle of a secret rotation still see each other's proofs; id is
// itself a hash, and says nothing of the token. An error (the store
// failed, or is skipped) reports nothing either way: the caller decides.
func (c *Cache) Once(ctx context.Context, id [32]byte, ttl time.Duration) (bool, error) {
	if !c.breaker.allow() {
		return false, ErrSkipped
	}
	h := sha256.New()
	h.Write(c.cfg.Fingerprint[:])
	h.Write(id[:])
	key := sharedPrefix + "once:{" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)) + "}"
	var first bool
	err := c.call(ctx, func(ctx context.Context) (err error) {
		first, err = c.cfg.Store.SetNX(ctx, key, onceValue, ttl)
		return err
	})
	c.record(err)
	return first, err
}
