package core

import (
	"context"
	"crypto/tls"
	"net/http"
)

// Request is what AuthenticateRequest reads of one request, whatever
// carries it. Authorization alone is enough for Bearer tokens; a DPoP
// proof is checked against Method and Path, and a certificate-bound
// token against TLS.
type Request struct {
	// Method is the HTTP method; "POST" for gRPC and Connect calls.
	Method string
	// Path is the request's path as sent, percent-encoding kept
	// (net/http's r.URL.EscapedPath(); gRPC's full method name). A DPoP
	// proof's htu must be Settings.ExternalURL followed by it.
	Path string
	// Authorization holds the values of the Authorization header (or
	// "authorization" metadata).
	Authorization []string
	// DPoP holds the values of the DPoP header: one proof, or none.
	DPoP []string
	// TLS is the state of the client's TLS connection, nil without TLS.
	TLS *tls.ConnectionState
	// Header holds the request's header fields (net/http's r.Header, not
	// a copy; gRPC metadata as http.Header, its keys in lower case). Only
	// Settings.ClientCertHeader is read from it.
	Header http.Header
}

// HTTPRequest is the Request of r, for AuthenticateRequest. Its Path is
// left empty when r carries no DPoP proof, which then needs none.
func HTTPRequest(r *http.Request) Request {
	req := Request{Method: r.Method, Authorization: r.Header["Authorization"], DPoP: r.Header["Dpop"], TLS: r.TLS,
		Header: r.Header}
	if len(req.DPoP) > 0 {
		req.Path = r.URL.EscapedPath()
	}
	return req
}

// AuthenticateRequest is Authenticate for a request that may carry a
// DPoP-bound token and its proof (RFC 9449): it makes the same decision,
// and also checks the proof, on every request (a proof is never cached),
// and the token's binding. A bound token sent as Bearer is refused; so is
// an unbound token sent with the DPoP scheme. Every adapter calls it.
func (rs *ResourceServer) AuthenticateRequest(ctx context.Context, req Request) (context.Context, error) {
	if rs == nil {
		return ctx, errNilServer
	}
	out, err := rs.authenticate(ctx, &req)
	if err != nil || rs.mon.obs != nil {
		rs.mon.decided(ctx, err)
	}
	return out, err
}
