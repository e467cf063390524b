// Package examples_test starts the example servers (gin, echo, echov5,
// chi, grpc, mcp) as real processes and calls every route or method,
// against the development authorization server they embed and against an
// external fake one configured only by the reference's environment
// variables; it reads their log (stderr) and their metrics (METRICS=1),
// and talks to the MCP example with the MCP Go SDK's own client.
package examples_test
