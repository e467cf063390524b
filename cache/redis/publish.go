package rediscache

import (
	"context"
)

// Publish sends msg to every subscriber of channel (PUBLISH). It returns
// an error wrapping ErrNoReceivers when Redis counted no subscriber: the
// message demonstrably reached nobody.
func (s *Store) Publish(ctx context.Context, channel string, msg []byte) error {
	var n int64
	err := s.run(ctx, "publish", channel, func(ctx context.Context) (err error) {
		n, err = s.client.Publish(ctx, channel, msg).Result()
		return err
	})
	if err == nil && n == 0 {
		return &storeError{op: "publish", class: classRefused, err: ErrNoReceivers}
	}
	return err
}
