package connectrs

import (
	"context"
	"net/http"

	"connectrpc.com/connect"

	"github.com/oidcrs/oidcrs/internal/rpcauth"
)

// stream decides again, with RecheckStreams, around each message of a
// streaming handler.
type stream struct {
	connect.StreamingHandlerConn
	// ctx is the context the first decision returned: its DPoP proof,
	// checked then, is this call's, not a replay.
	ctx context.Context
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
	if _, err := s.cfg.Decide(s.ctx, conn.Spec().Procedure, request(s.ctx, http.MethodPost, conn.Spec().Procedure, conn.RequestHeader())); err != nil {
		// Send and Receive may run concurrently: one error, one challenge
		return s.latch.Fail(err, func(err error) error {
			return fail(s.cfg.RS, err, conn.Peer().Protocol, conn.ResponseHeader())
		})
	}
	return nil
}
