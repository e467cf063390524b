package connectrs

import (
	"context"
	"sync"

	"connectrpc.com/connect"
)

// stream decides again, with RecheckStreams, around each message of a
// streaming handler.
type stream struct {
	connect.StreamingHandlerConn
	ctx context.Context // the call's own context, as the first decision saw it
	cfg *config

	mu     sync.Mutex
	failed error // the first failed recheck: the error the stream ends with
}

// Send decides again before sending m.
func (s *stream) Send(m any) error {
	if err := s.recheck(); err != nil {
		return err
	}
	return s.StreamingHandlerConn.Send(m)
}

// Receive decides again after receiving m.
func (s *stream) Receive(m any) error {
	if err := s.StreamingHandlerConn.Receive(m); err != nil {
		return err
	}
	return s.recheck()
}

func (s *stream) recheck() error {
	if f := s.failure(); f != nil {
		return f
	}
	conn := s.StreamingHandlerConn
	if _, err := s.cfg.decide(s.ctx, conn.Spec().Procedure, conn.RequestHeader()); err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.failed == nil { // Send and Receive may run concurrently
			s.failed = s.cfg.fail(err, conn.Peer().Protocol, conn.ResponseHeader())
		}
		return s.failed
	}
	return nil
}

func (s *stream) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}
