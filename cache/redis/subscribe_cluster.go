package rediscache

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// A sharded subscription not confirmed by Redis within shardConfirm is
// opened again, shardRetry after asking for a new slot map.
const (
	shardConfirm = 5 * time.Second
	shardRetry   = time.Second
)

// subscribeSharded subscribes with SSUBSCRIBE to each sharded name of
// channel, one PubSub each (SSUBSCRIBE takes the channels of one slot),
// and hands every message to handle from one goroutine. It returns what
// stops it all.
func (s *Store) subscribeSharded(channel string, handle func(msg []byte)) (halt func()) {
	names := shardChannels(channel)
	pss := make([]*redis.PubSub, len(names))
	var wg sync.WaitGroup
	for i, name := range names { // the first SSUBSCRIBEs, concurrently
		wg.Go(func() {
			first, cancel := context.WithTimeout(context.Background(), s.timeout)
			defer cancel()
			pss[i] = s.cluster.SSubscribe(first, name) // an error here is retried by the PubSub
		})
	}
	wg.Wait()

	ctx, cancel := context.WithCancel(context.Background())
	msgs := make(chan string)
	var forwarders sync.WaitGroup
	for i, name := range names {
		forwarders.Go(func() { s.forwardShard(ctx, name, pss[i], msgs) })
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-msgs:
				if ctx.Err() == nil {
					handle([]byte(m))
				}
			}
		}
	}()
	return func() {
		cancel()
		forwarders.Wait()
		<-done
	}
}

// forwardShard sends each message of ps, subscribed to name, to out until
// ctx ends, and opens the subscription again whenever Redis ends it or
// does not confirm it.
func (s *Store) forwardShard(ctx context.Context, name string, ps *redis.PubSub, out chan<- string) {
	for {
		again := pumpShard(ctx, name, ps, out)
		if !again || ctx.Err() != nil {
			return
		}
		s.cluster.ReloadState(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(shardRetry):
		}
		first, cancel := context.WithTimeout(ctx, s.timeout)
		ps = s.cluster.SSubscribe(first, name)
		cancel()
	}
}

// pumpShard forwards ps's messages to out until ctx ends or ps's channel
// closes (false), or until the subscription must be opened again (true):
// Redis ended it, or did not confirm it within shardConfirm. It closes ps
// and drains its channel before returning, so that go-redis's goroutine
// ends.
func pumpShard(ctx context.Context, name string, ps *redis.PubSub, out chan<- string) (again bool) {
	in := ps.ChannelWithSubscriptions()
	defer func() {
		_ = ps.Close()
		for range in { // go-redis closes in soon after Close
		}
	}()
	confirm := time.NewTimer(shardConfirm)
	defer confirm.Stop()
	confirmed := false
	for {
		select {
		case <-ctx.Done():
			return false
		case <-confirm.C:
			if !confirmed {
				return true
			}
		case m, ok := <-in:
			if !ok {
				return false // the client was closed
			}
			switch m := m.(type) {
			case *redis.Subscription:
				if m.Channel == name && m.Kind == "ssubscribe" {
					confirmed = true
				} else if m.Channel == name && m.Kind == "sunsubscribe" {
					return true
				}
			case *redis.Message:
				select {
				case out <- m.Payload:
				case <-ctx.Done():
					return false
				}
			}
		}
	}
}
