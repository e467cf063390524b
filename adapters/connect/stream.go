package connectrs

import (
	"context"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/internal/rpcauth"
)

// stream decides again, with RecheckStreams, around each message of a
// streaming handler.
type stream struct {
	connect.StreamingHandlerConn
	ctx context.Context // the call's own context, as the first decision saw it
	cfg *rpcauth.Config

	latch rpcauth.Latch // the first failed recheck: the error the stream ends with
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
	if f := s.latch.Failure(); f != nil {
		return f
	}
	conn := s.StreamingHandlerConn
	if _, err := s.cfg.Decide(s.ctx, conn.Spec().Procedure, authorization(conn.RequestHeader())); err != nil {
		// Send and Receive may run concurrently: one error, one challenge
		return s.latch.Fail(err, func(err error) error {
			return fail(s.cfg.RS, err, conn.Peer().Protocol, conn.ResponseHeader())
		})
	}
	return nil
}
