// Package app is what the three example servers share: configuration from
// the environment, the development authorization server, the answers of
// /api/me and /api/admin, and serving with graceful shutdown.
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

	ln     net.Listener
	base   string // http://host:port of the listener
	dev    *oidcrstest.Server
	tokens [2]string // the development tokens: groups, and groups admin
	out    io.Writer
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

// Serve prints how to call the server, serves h until ctx is done, then
// shuts down gracefully, letting requests in flight finish.
func (a *App) Serve(ctx context.Context, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	a.printUsage()
	fmt.Fprintf(a.out, "Listening on %s\n", a.base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(a.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(a.out, "Shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(a.out, "Stopped")
	return nil
}
