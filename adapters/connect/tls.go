package connectrs

import (
	"context"
	"crypto/tls"
	"net/http"
)

// WithClientTLS wraps the http.Handler that serves Connect procedures so
// that NewInterceptor sees the client's TLS connection (r.TLS), which
// Connect does not hand interceptors. Certificate-bound tokens (RFC 8705,
// cnf.x5t#S256) need it: without this wrapper, or behind a proxy that
// ends TLS (see core.Settings.ClientCertHeader), they are refused, never
// accepted unchecked.
func WithClientTLS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil {
			r = r.WithContext(context.WithValue(r.Context(), tlsKey{}, r.TLS))
		}
		h.ServeHTTP(w, r)
	})
}

type tlsKey struct{}

// clientTLS is the TLS state WithClientTLS put in ctx, nil without one.
func clientTLS(ctx context.Context) *tls.ConnectionState {
	s, _ := ctx.Value(tlsKey{}).(*tls.ConnectionState)
	return s
}
