// Package examples_test starts the three example servers (gin, echo, chi)
// as real processes and calls every route, against the development
// authorization server they embed and against an external fake one
// configured only by the reference's environment variables.
package examples_test
