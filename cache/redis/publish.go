package rediscache

import (
	"context"
	"strings"
	"sync"
)

// shardTags are the hash tags of a channel's sharded names in Cluster
// mode. Their slots (1364, 4096, 6824, 9556, 12287, 15019) lie near the
// middle of each sixth of the 16384 slots, so that whether the masters
// split the slots in halves, thirds, quarters, fifths or sixths, every
// master serves at least one of them. They are part of the wire format:
// every replica must use the same.
var shardTags = [...]string{"shard11", "shard3124", "shard293", "shard935", "shard2695", "shard708"}

// shardChannels returns the sharded channel names of channel: channel
// followed by ":{tag}" for each of shardTags. The channel keeps its
// prefix, so that an ACL rule on it (&oidcrs:*) covers every sharded
// name; a channel holding "{" would take the hash tag itself, so the
// braces of one are dropped.
func shardChannels(channel string) []string {
	channel = strings.NewReplacer("{", "", "}", "").Replace(channel)
	names := make([]string, len(shardTags))
	for i, tag := range shardTags {
		names[i] = channel + ":{" + tag + "}"
	}
	return names
}

// Publish sends msg to every subscriber of channel and returns an error
// when it demonstrably reached nobody.
//
// On one server or Sentinel it sends one PUBLISH, and returns an error
// wrapping ErrNoReceivers when Redis counted no subscriber.
//
// In Cluster mode it sends SPUBLISH on each of the channel's sharded names
// (see Subscribe), concurrently, each on the master that serves it, so
// that the message reaches every subscriber while any master lives;
// subscribers may receive it several times. It succeeds when any name had
// a subscriber; otherwise its error is the first failure's, or
// ErrNoReceivers when every master answered.
func (s *Store) Publish(ctx context.Context, channel string, msg []byte) error {
	if s.cluster == nil {
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

	names := shardChannels(channel)
	counts := make([]int64, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			errs[i] = s.run(ctx, "publish", name, func(ctx context.Context) (err error) {
				counts[i], err = s.cluster.SPublish(ctx, name, msg).Result()
				return err
			})
		})
	}
	wg.Wait()
	var first error
	for i := range names {
		if errs[i] == nil && counts[i] > 0 {
			return nil
		}
		if first == nil {
			first = errs[i]
		}
	}
	if first != nil {
		// Nobody was reached: not partial, whichever masters failed.
		e := *first.(*storeError)
		e.partial = false
		return &e
	}
	return &storeError{op: "publish", class: classRefused, err: ErrNoReceivers}
}
