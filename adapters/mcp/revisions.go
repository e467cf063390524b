package mcprs

import (
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// statelessRevision is the first MCP revision without initialize or
// sessions, which the SDK serves only from a stateless handler.
const statelessRevision = "2026-07-28"

// NewStreamableHandler returns the SDK's streamable HTTP transport for
// clients of every MCP revision it speaks, to put behind Protect. A
// request whose Mcp-Protocol-Version header is 2026-07-28 or later
// (revisions are dates, compared as text) goes to a stateless handler: no
// initialize and no session, each request carries what it needs. Every
// other request (initialize, server/discover without the header, 2025-11-25
// and older, GET event streams, DELETE) goes to a stateful one, whose
// sessions are bound to their owner (see Protect). Both get opts; with
// opts.Stateless set, one stateless handler serves every request, and
// older clients get no sessions. The choice reads a header, never the
// token: Protect has checked the token of every request before.
func NewStreamableHandler(getServer func(*http.Request) *mcp.Server, opts *mcp.StreamableHTTPOptions) http.Handler {
	var o mcp.StreamableHTTPOptions
	if opts != nil {
		o = *opts
	}
	if o.Stateless {
		return mcp.NewStreamableHTTPHandler(getServer, &o)
	}
	stateful := mcp.NewStreamableHTTPHandler(getServer, &o)
	o.Stateless = true
	stateless := mcp.NewStreamableHTTPHandler(getServer, &o)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Mcp-Protocol-Version") >= statelessRevision {
			stateless.ServeHTTP(w, r)
			return
		}
		stateful.ServeHTTP(w, r)
	})
}
