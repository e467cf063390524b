// Package app is what the example servers share: configuration from the
// environment, the development authorization server, the answers of
// /api/me and /api/admin, and serving with graceful shutdown (of a second
// server too: the gRPC example's).
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// DefaultAddr is where the examples listen without ADDR.
const DefaultAddr = "127.0.0.1:8080"

// App is a configured example: its resource server and its listener.
type App struct {
	// RS is the resource server the routes use.
	RS *core.ResourceServer
	// Usage, when not nil, prints how to call the server with the
	// development tokens (scope "groups"; "groups admin") instead of the
	// curl commands for /api/me and /api/admin.
	Usage func(w io.Writer, tokens [2]string)

	ln     net.Listener
	base   string // http://host:port of the listener
	dev    *oidcrstest.Server
	tokens [2]string // the development tokens: groups, and groups admin
	out    io.Writer
	also   []server
}

// server is a second server that Serve runs beside the HTTP one.
type server struct {
	serve func() error
	stop  func()
}

// Also makes Serve run serve in its own goroutine beside the HTTP server,
// and call stop at shutdown, which must make serve return (nil once
// stopped), before Serve prints "Stopped".
func (a *App) Also(serve func() error, stop func()) {
	a.also = append(a.also, server{serve: serve, stop: stop})
}

// New listens on ADDR (default DefaultAddr) and builds the resource server
// from the reference's environment variables, read through lookup. Without
// OIDC_OP_URL it starts a development authorization server instead (see
// startDev). Messages go to out.
func New(lookup core.LookupFunc, out io.Writer) (*App, error) {
	addr, ok := lookup("ADDR")
	if !ok || addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	a := &App{ln: ln, base: "http://" + dialable(ln.Addr()), out: out}
	if url, _ := lookup("OIDC_OP_URL"); url == "" {
		err = a.startDev()
	} else {
		a.RS, err = fromEnv(lookup)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// dialable turns the listener's address into one a client can dial: an
// unspecified IP (0.0.0.0, ::) becomes loopback.
func dialable(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Close stops the resource server (and its shared cache), the development
// authorization server and the listener.
func (a *App) Close() {
	if a.RS != nil {
		_ = a.RS.Close()
	}
	if a.dev != nil {
		a.dev.Close()
	}
	_ = a.ln.Close()
}

// Serve prints how to call the server, serves h (and the servers given to
// Also) until ctx is done or a server fails, then shuts down gracefully,
// letting requests in flight finish.
func (a *App) Serve(ctx context.Context, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	a.printUsage()
	fmt.Fprintf(a.out, "Listening on %s\n", a.base)
	running := 1 + len(a.also)
	errc := make(chan error, running)
	go func() { errc <- srv.Serve(a.ln) }()
	for _, s := range a.also {
		go func() { errc <- s.serve() }()
	}
	var failed error
	select {
	case failed = <-errc: // a server stopped on its own: stop the others
		running--
		if failed == nil || errors.Is(failed, http.ErrServerClosed) {
			failed = errors.New("a server stopped unexpectedly")
		}
	case <-ctx.Done():
		fmt.Fprintln(a.out, "Shutting down")
	}
	for _, s := range a.also {
		s.stop()
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := []error{failed, srv.Shutdown(sctx)}
	for range running {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Fprintln(a.out, "Stopped")
	return nil
}
