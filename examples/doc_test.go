// Package examples_test starts the example servers (gin, echo, echov5,
// chi, grpc) as real processes and calls every route or method, against
// the development authorization server they embed and against an external
// fake one configured only by the reference's environment variables.
package examples_test
