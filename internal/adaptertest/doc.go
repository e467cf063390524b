// Package adaptertest holds what the Gin, Echo and Chi adapters' tests
// share: the conformance suite (RunConformance), which checks that every
// adapter answers every case byte for byte alike; the benchmark fixture
// (StartBench, BenchServe); and a resource-server fixture with a GET
// helper (StartResourceServer, Get). It builds on the fake authorization
// server of core/oidcrstest.
//
// It is internal, and imports testing, on purpose: the public test kit is
// the fake authorization server alone, and no production binary links
// this package.
package adaptertest
