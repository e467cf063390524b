package grpcrs

import (
	"context"
	"crypto/tls"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// peerTLS returns the state of the call's TLS connection, the
// core.Request's TLS, for certificate-bound tokens (RFC 8705): its
// PeerCertificates[0] is the client's certificate. It is nil when the call
// came without TLS (insecure credentials, or TLS ended at a proxy, which
// then forwards the certificate in metadata; see
// core.Settings.ClientCertHeader): a certificate-bound token is then
// refused.
func peerTLS(ctx context.Context) *tls.ConnectionState {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return nil
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok {
		return nil
	}
	return &info.State
}
