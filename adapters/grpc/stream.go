package grpcrs

import (
	"context"

	"google.golang.org/grpc"

	"github.com/oidcrs/oidcrs/internal/rpcauth"
)

// stream hands the handler the authenticated context and, with
// RecheckStreams, decides again around each message.
type stream struct {
	grpc.ServerStream
	ctx    context.Context
	cfg    *rpcauth.Config
	method string

	latch rpcauth.Latch // the first failed recheck: the status the stream ends with
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
	if !s.cfg.Recheck {
		return nil
	}
	if f := s.latch.Failure(); f != nil {
		return f
	}
	// The stream's authenticated context: its DPoP proof, checked at the
	// start, is the same request's, not a replay.
	if _, err := s.cfg.Decide(s.ctx, s.method, request(s.ServerStream.Context(), s.method)); err != nil {
		// SendMsg and RecvMsg may run concurrently: one trailer, one status
		return s.latch.Fail(err, func(err error) error { return fail(s.cfg.RS, err, s.ServerStream.SetTrailer) })
	}
	return nil
}
