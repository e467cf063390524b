package mcprs_test

import (
	"fmt"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcprs "github.com/oidcrs/oidcrs/adapters/mcp"
	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// Protect wraps the SDK's streamable HTTP transport, here for clients of
// both MCP revisions; RegisterRoutes serves the RFC 9728 metadata that the
// 401 challenge points at.
func ExampleProtect() {
	as, err := oidcrstest.New(oidcrstest.Config{}) // your authorization server
	if err != nil {
		panic(err)
	}
	defer as.Close()
	st := as.Settings("", "mcp")
	st.Resource = "https://mcp.example/mcp" // OIDC_RS_RESOURCE
	rs, err := core.New(st)
	if err != nil {
		panic(err)
	}
	defer rs.Close()

	server := mcp.NewServer(&mcp.Implementation{Name: "demo", Version: "1.0.0"}, nil)
	mux := http.NewServeMux()
	mcprs.RegisterRoutes(mux, rs)
	mux.Handle("/mcp", mcprs.Protect(rs, mcprs.NewStreamableHandler(func(*http.Request) *mcp.Server { return server }, nil)))

	fmt.Println(rs.MetadataPath())
	// Output:
	// /.well-known/oauth-protected-resource/mcp
}
