// Package adaptertest holds what the adapters' tests share: the
// conformance suite, which checks that every adapter answers every case
// alike (RunConformance, byte for byte over HTTP; RunConformanceCalls, the
// same table through another transport such as gRPC); the benchmark
// fixture (StartBench, BenchServe); and a resource-server fixture with a
// GET helper (StartResourceServer, Get). It builds on the fake
// authorization server of core/oidcrstest.
//
// It is internal, and imports testing, on purpose: the public test kit is
// the fake authorization server alone, and no production binary links
// this package. It imports no framework and no gRPC: a transport's own
// shape (a gRPC status code for an HTTP status) is its adapter's tests'.
package adaptertest
