package oidcrstest

import (
	"net"
	"net/http"
	"time"
)

// Fault makes the server misbehave. The zero Fault does nothing.
type Fault struct {
	// Down closes each connection without answering.
	Down bool
	// Delay waits before answering (or until the client gives up).
	Delay time.Duration
	// Status, when not 0, is answered instead of the real answer, with
	// Header, ContentType and Body.
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
}

// Canned faults.
var (
	// FaultDown drops connections.
	FaultDown = Fault{Down: true}
	// FaultServerError answers 500.
	FaultServerError = Fault{Status: http.StatusInternalServerError, ContentType: "application/json", Body: []byte(`{"error":"server_error"}`)}
	// FaultTooManyRequests answers 429 with Retry-After: 7.
	FaultTooManyRequests = Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}}
	// FaultGarbage answers 200 with an HTML page.
	FaultGarbage = Fault{Status: http.StatusOK, ContentType: "text/html", Body: []byte("<html><body>Welcome</body></html>")}
)

// SetFault makes the introspection endpoint misbehave; nil restores it.
func (s *Server) SetFault(f *Fault) { s.fault.Store(f) }

// SetJWKSFault makes the JWKS endpoint misbehave; nil restores it.
func (s *Server) SetJWKSFault(f *Fault) { s.jwksFault.Store(f) }

// applyFault answers for f and reports whether it did.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault) bool {
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Down {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if f.Status == 0 {
		return false
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write(f.Body)
	return true
}

// listen makes the server listen on addr (loopback only).
func (s *Server) listen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	_ = s.srv.Listener.Close()
	s.srv.Listener = l
	return nil
}
