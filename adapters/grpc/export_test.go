package grpcrs

// Code exposes the HTTP status to gRPC code mapping to the tests.
var Code = code
