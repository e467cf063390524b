//go:build race

package examples_test

// raceEnabled builds the examples with -race when the tests run with it,
// so that the build reuses the test build's cache and the examples run
// under the race detector too.
const raceEnabled = true
