// Package app is what the example servers share: configuration from the
// environment, the development authorization server, the answers of
// /api/me and /api/admin, the log (LOG_FORMAT, LOG_LEVEL), the metrics
// (METRICS), and serving with graceful shutdown (of a second server too:
// the gRPC example's).
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/examples/internal/devas"
)

// DefaultAddr is where the examples listen without ADDR.
const DefaultAddr = "127.0.0.1:8080"

// App is a configured example: its resource server and its listener.
type App struct {
	// RS is the resource server the routes use.
	RS *core.ResourceServer
	// Log is the example's logger, which RS logs to as well.
	Log *slog.Logger
	// Usage, when not nil, prints how to call the server with the
	// development tokens (scopes Config.DevScopes: by default "groups",
	// then "groups admin") instead of the curl commands for /api/me and
	// /api/admin.
	Usage func(w io.Writer, tokens [2]string)

	ln         net.Listener
	base       string // http://host:port of the listener
	dev        *oidcrstest.Server
	login      *devas.Server // the development login server, beside dev
	devScopes  [2]string
	tokens     [2]string // the development tokens, with devScopes
	out        io.Writer
	also       []server
	onShutdown []func()
	metrics    *metrics // nil without METRICS
}

// Config holds what New leaves at its default and NewWith lets an example
// set.
type Config struct {
	// Log receives the log records. Default os.Stderr.
	Log io.Writer
	// ResourcePath, when not "", makes OIDC_RS_RESOURCE default to
	// http://<ADDR><ResourcePath> (the MCP example's "/mcp"), with the
	// development authorization server too, whose tokens then carry that
	// aud. Default "": no default resource.
	ResourcePath string
	// DevScopes are the scope claims of the two development tokens.
	// Default DevScope, and DevScope plus "admin".
	DevScopes [2]string
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

// New is NewWith with the default Config: it logs to stderr.
func New(lookup core.LookupFunc, out io.Writer) (*App, error) {
	return NewWith(lookup, out, Config{})
}

// NewWith reads the log settings (LOG_FORMAT, LOG_LEVEL) and METRICS,
// listens on ADDR (default DefaultAddr) and builds the resource server from
// the reference's environment variables, read through lookup, logging to
// cfg.Log and, with METRICS, recording metrics. Without OIDC_OP_URL it
// starts a development authorization server instead (see startDev), whose
// resource server takes OIDC_RS_RESOURCE (or cfg.ResourcePath's default)
// alone from the environment. Messages for people go to out.
func NewWith(lookup core.LookupFunc, out io.Writer, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.DevScopes == [2]string{} {
		cfg.DevScopes = [2]string{DevScope, DevScope + " admin"}
	}
	log, err := newLogger(lookup, cfg.Log)
	m, merr := newMetrics(lookup)
	if err = errors.Join(err, merr); err != nil {
		m.close()
		return nil, err
	}
	addr, ok := lookup("ADDR")
	if !ok || addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		m.close()
		return nil, err
	}
	a := &App{Log: log, ln: ln, base: "http://" + dialable(ln.Addr()), out: out, devScopes: cfg.DevScopes, metrics: m}
	opts := []core.Option{core.WithLogger(log)}
	if m != nil {
		opts = append(opts, core.WithObserver(m.observer))
	}
	resource, _ := lookup("OIDC_RS_RESOURCE")
	if resource == "" && cfg.ResourcePath != "" {
		resource = a.base + cfg.ResourcePath
	}
	if url, _ := lookup("OIDC_OP_URL"); url == "" {
		err = a.startDev(resource, opts)
	} else {
		a.RS, err = fromEnv(withResource(lookup, resource), opts, log)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// withResource reads OIDC_RS_RESOURCE as resource, everything else through
// lookup.
func withResource(lookup core.LookupFunc, resource string) core.LookupFunc {
	return func(name string) (string, bool) {
		if name == "OIDC_RS_RESOURCE" && resource != "" {
			return resource, true
		}
		return lookup(name)
	}
}

// URL is the http://host:port address clients dial.
func (a *App) URL() string { return a.base }

// OnShutdown makes Serve call f when shutdown begins, while requests in
// flight finish: f ends long-lived streams (the MCP example closes its
// sessions), which graceful shutdown would otherwise wait for.
func (a *App) OnShutdown(f func()) { a.onShutdown = append(a.onShutdown, f) }

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
// authorization server, the metrics and the listener.
func (a *App) Close() {
	if a.RS != nil {
		_ = a.RS.Close()
	}
	if a.login != nil {
		a.login.Close()
	}
	if a.dev != nil {
		a.dev.Close()
	}
	a.metrics.close()
	_ = a.ln.Close()
}

// Serve logs the start-up line, prints how to call the server, serves h
// (and the servers given to Also; with METRICS, GET /metrics before h)
// until ctx is done or a server fails, then shuts down gracefully, letting
// requests in flight finish.
func (a *App) Serve(ctx context.Context, h http.Handler) error {
	srv := &http.Server{Handler: a.metrics.wrap(h), ReadHeaderTimeout: 10 * time.Second}
	for _, f := range a.onShutdown {
		srv.RegisterOnShutdown(f)
	}
	a.logStart()
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
