// Command mcp is the oidcrs example MCP server: the official Go SDK's
// streamable HTTP transport at /mcp, for clients of MCP 2025-11-25 and of
// 2026-07-28, with one tool, whoami, behind oidcrs, as the MCP
// authorization specification asks of every MCP server.
//
//	go run ./examples/mcp
//
// Without OIDC_OP_URL it starts a development authorization server and
// prints a curl command for the initialize call, with a token; with the
// reference's OIDC_* variables it uses the real one. ADDR sets the listen
// address (default 127.0.0.1:8080); OIDC_RS_RESOURCE, this server's
// identifier, which every token's aud must contain, defaults to
// http://<ADDR>/mcp. It serves /healthz, /jwks and the RFC 9728
// protected-resource metadata, which every 401 points at. A token needs
// scope "mcp" besides one of OIDC_RS_SCOPES. LOG_FORMAT, LOG_LEVEL and
// METRICS work as in the other examples.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/oidcrs/oidcrs/adapters/mcp"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/examples/internal/app"
)

// scope is the scope every call of /mcp needs.
const scope = "mcp"

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.NewWith(os.LookupEnv, os.Stdout, app.Config{ResourcePath: "/mcp",
		// The development tokens: one for the MCP server, one without
		// its scope (answered 403).
		DevScopes: [2]string{app.DevScope + " " + scope, app.DevScope}})
	if err != nil {
		return err
	}
	defer a.Close()

	server := newServer()
	mux := http.NewServeMux()
	mcprs.RegisterRoutes(mux, a.RS) // GET /jwks and the RFC 9728 metadata
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	// Clients of MCP 2025-11-25 open a session (bound to the token's
	// issuer and sub); those of 2026-07-28 send each request on its own.
	h := mcprs.NewStreamableHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{SessionTimeout: 30 * time.Minute, Logger: a.Log})
	// Protect answers 401 (with resource_metadata), 400 and 503 itself;
	// RequireScopes answers a token without scope "mcp" 403
	// insufficient_scope with every scope the request needs
	// (scope="groups mcp"), so that the client can step up in one go.
	// A finer rule for one tool is checked inside the tool, with
	// mcprs.CheckScopes, and comes back as a tool error, not as HTTP 403.
	// CORS lets pages of OIDC_RS_CORS_ORIGINS read the answers (preflights
	// are answered by Protect, never challenged).
	mux.Handle("/mcp", a.RS.CORS(mcprs.Protect(a.RS, mcprs.RequireScopes(a.RS, core.AnyScope(scope))(h))))

	// Closing the sessions ends their event streams (GET /mcp), which
	// graceful shutdown would otherwise wait for.
	a.OnShutdown(func() {
		for ss := range server.Sessions() {
			_ = ss.Close()
		}
	})
	a.Usage = func(w io.Writer, tokens [2]string) { usage(w, a.URL()+"/mcp", tokens) }
	return a.Serve(ctx, mux)
}

// whoamiOut is what the whoami tool answers.
type whoamiOut struct {
	Subject  string   `json:"sub"`
	Scopes   []string `json:"scopes"`
	ClientID string   `json:"client_id"`
}

// newServer is the MCP server, with its one tool.
func newServer() *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "oidcrs-example", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami", Description: "The caller's sub, scopes and client id."},
		func(_ context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, whoamiOut, error) {
			// A tool needing more, say scope "admin", would check here:
			//	if err := mcprs.CheckScopes(req.Extra.TokenInfo, core.AnyScope("admin")); err != nil {
			//		return nil, whoamiOut{}, err // a tool error naming the scope
			//	}
			ti, ok := mcprs.TokenInfo(req.Extra.TokenInfo)
			if !ok { // not reached behind Protect
				return nil, whoamiOut{}, errors.New("no verified token")
			}
			return nil, whoamiOut{Subject: ti.Subject, Scopes: ti.Scopes, ClientID: ti.ClientID}, nil
		})
	return s
}

// usage prints the initialize call with each development token. These are
// tokens of a throw-away test server, printed on purpose.
func usage(w io.Writer, endpoint string, tokens [2]string) {
	const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`
	for _, t := range tokens {
		fmt.Fprintf(w, "  curl -i -X POST -H 'Authorization: Bearer %s' -H 'Content-Type: application/json'"+
			" -H 'Accept: application/json, text/event-stream' -d '%s' %s\n", t, initialize, endpoint)
	}
	fmt.Fprintf(w, "The second token lacks scope %q: /mcp answers it 403 insufficient_scope.\n", scope)
	fmt.Fprintln(w, "Or point an MCP client at the endpoint with the first token; it can call the tool whoami.")
}
