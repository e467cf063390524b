package rediscache

import (
	"context"
	"sync"
)

// subscription is one Subscribe: a go-redis PubSub and the goroutine that
// hands its messages over.
type subscription struct {
	once sync.Once
	halt func() // closes the PubSub, cancels and waits
}

func (sub *subscription) stop() { sub.once.Do(sub.halt) }

// Subscribe calls handle, from one goroutine, with each message published
// on channel until stop is called. It sends SUBSCRIBE before it returns,
// waiting at most the Store's timeout (Open's timeout; 50 ms for New); if
// Redis does not answer in time, or later fails, go-redis reconnects and
// subscribes again by itself, and its PubSub pings Redis every 3 s to
// notice a dead connection. Messages published while the subscription is
// down are lost (Redis Pub/Sub keeps none).
//
// stop closes the subscription and waits for the goroutine to end: handle
// is never called once stop has returned. stop is idempotent; it must not
// be called from handle. After Close, Subscribe does nothing and returns a
// no-op stop.
func (s *Store) Subscribe(channel string, handle func(msg []byte)) (stop func()) {
	if s.isClosed() {
		return func() {}
	}

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

	sub := &subscription{}
	sub.halt = func() {
		cancel()
		_ = ps.Close()
		<-done
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

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}
