// Package peers holds benchmarks of oidcrs against the closest Go peers,
// side by side in one process and against one fake authorization server
// on loopback. It is a module of its own so that no other module depends
// on a peer. It has no code to import: see introspection_test.go,
// jwt_test.go and docs/benchmarks.md.
package peers
