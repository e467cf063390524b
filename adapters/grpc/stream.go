package grpcrs

import (
	"context"
	"sync"

	"google.golang.org/grpc"
)

// stream hands the handler the authenticated context and, with
// RecheckStreams, decides again around each message.
type stream struct {
	grpc.ServerStream
	ctx    context.Context
	cfg    *config
	method string

	mu     sync.Mutex
	failed error // the first failed recheck: the status the stream ends with
}

// Context returns the context carrying the TokenInfo.
func (s *stream) Context() context.Context { return s.ctx }

// SendMsg decides again, with RecheckStreams, before sending m.
func (s *stream) SendMsg(m any) error {
	if err := s.recheck(); err != nil {
		return err
	}
	return s.ServerStream.SendMsg(m)
}

// RecvMsg decides again, with RecheckStreams, after receiving m.
func (s *stream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	return s.recheck()
}

func (s *stream) recheck() error {
	if !s.cfg.recheck {
		return nil
	}
	if f := s.failure(); f != nil {
		return f
	}
	if _, err := s.cfg.decide(s.ServerStream.Context(), s.method); err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.failed == nil { // SendMsg and RecvMsg may run concurrently
			s.failed = s.cfg.fail(err, s.ServerStream.SetTrailer)
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
