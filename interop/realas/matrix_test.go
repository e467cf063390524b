package realas_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// matrixEnv names a file to which TestMain writes the compatibility matrix
// (server × mode × case → status) of the run.
const matrixEnv = "OIDCRS_INTEROP_MATRIX"

var matrix = struct {
	sync.Mutex
	rows map[[3]string]string
}{rows: map[[3]string]string{}}

// record notes the status of one case; the last word wins.
func record(server, mode, kase, status string) {
	matrix.Lock()
	defer matrix.Unlock()
	matrix.rows[[3]string{server, mode, kase}] = status
}

// recordT records t's outcome when it ends, unless a status was recorded.
func recordT(t *testing.T, server, mode, kase string) {
	t.Cleanup(func() {
		matrix.Lock()
		_, done := matrix.rows[[3]string{server, mode, kase}]
		matrix.Unlock()
		switch {
		case done:
		case t.Failed():
			record(server, mode, kase, "FAIL")
		case t.Skipped():
			record(server, mode, kase, "skip")
		default:
			record(server, mode, kase, "pass")
		}
	})
}

func writeMatrix(path string) error {
	matrix.Lock()
	defer matrix.Unlock()
	keys := make([][3]string, 0, len(matrix.rows))
	for k := range matrix.rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return strings.Join(keys[i][:], "\x00") < strings.Join(keys[j][:], "\x00")
	})
	var b strings.Builder
	b.WriteString("| server | mode | case | status |\n| --- | --- | --- | --- |\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", k[0], k[1], k[2], matrix.rows[k])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if path := os.Getenv(matrixEnv); path != "" {
		if err := writeMatrix(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}
