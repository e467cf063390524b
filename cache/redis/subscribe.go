package rediscache

import (
	"context"
	"sync"
)

// subscription is one Subscribe: its go-redis PubSubs and the goroutines
// that hand their messages over.
type subscription struct {
	once sync.Once
	halt func() // closes the PubSubs, cancels and waits
}

func (sub *subscription) stop() { sub.once.Do(sub.halt) }

// Subscribe calls handle, from one goroutine, with each message published
// on channel until stop is called. It sends SUBSCRIBE before it returns,
// waiting at most the Store's timeout (OpenConfig's timeout; 50 ms for
// New); if Redis does not answer in time, or later fails, go-redis
// reconnects and subscribes again by itself, and its PubSub pings Redis
// every 3 s to notice a dead connection. Messages published while the
// subscription is down are lost (Redis Pub/Sub keeps none).
//
// In Cluster mode it sends SSUBSCRIBE for each of the channel's sharded
// names (see Publish), one connection each, to the master serving it; a
// subscription that Redis ends (the slot moved: Redis sends SUNSUBSCRIBE)
// or does not confirm within a few seconds is opened again after the slot
// map is reloaded. handle may receive a message once per sharded name.
//
// stop closes the subscription and waits for its goroutines to end:
// handle is never called once stop has returned. stop is idempotent; it
// must not be called from handle. After Close, Subscribe does nothing and
// returns a no-op stop.
func (s *Store) Subscribe(channel string, handle func(msg []byte)) (stop func()) {
	if s.isClosed() {
		return func() {}
	}
	sub := &subscription{}
	if s.cluster != nil {
		sub.halt = s.subscribeSharded(channel, handle)
	} else {
		sub.halt = s.subscribePlain(channel, handle)
	}
	halt := sub.halt
	sub.halt = func() {
		halt()
		s.mu.Lock()
		delete(s.subs, sub)
		s.mu.Unlock()
	}
	s.mu.Lock()
	if s.closed { // Close ran while we subscribed
		s.mu.Unlock()
		sub.stop()
		return func() {}
	}
	if s.subs == nil {
		s.subs = make(map[*subscription]struct{})
	}
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	return sub.stop
}

// subscribePlain subscribes with SUBSCRIBE, on one server or Sentinel's
// master, and returns what stops it.
func (s *Store) subscribePlain(channel string, handle func(msg []byte)) (halt func()) {
	first, cancelFirst := context.WithTimeout(context.Background(), s.timeout)
	ps := s.client.Subscribe(first, channel) // an error here is retried by ps
	cancelFirst()
	msgs := ps.Channel()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				for range msgs { // ps is closed: go-redis closes msgs soon
				}
				return
			case m, ok := <-msgs:
				if !ok {
					return // the client was closed
				}
				if ctx.Err() == nil {
					handle([]byte(m.Payload))
				}
			}
		}
	}()
	return func() {
		cancel()
		_ = ps.Close()
		<-done
	}
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
