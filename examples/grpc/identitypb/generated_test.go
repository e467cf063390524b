package identitypb_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// protocLine is the line of a generated file's header naming protoc's
// version, which only says where the file was made: another protoc makes
// the same code.
var protocLine = regexp.MustCompile(`(?m)^//.*\bprotoc +v\S+$`)

// TestGRPCGeneratedCodeIsCurrent runs scripts/genproto.sh into a
// temporary directory and compares what it writes with the checked-in
// files: a .proto edited without regenerating, or generated code edited by
// hand, fails here. Without protoc it skips, and fails under CI=true
// (.ci/run installs it).
func TestGRPCGeneratedCodeIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("protoc is not on the PATH (Debian's protobuf-compiler; .ci/run installs it)")
		}
		t.Skip("protoc is not on the PATH: apt-get install protobuf-compiler to run this test")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// Wide: the first run downloads and builds the two plugins.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "genproto.sh"), out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("genproto.sh: %v\n%s", err, b)
	}
	const dir = "examples/grpc/identitypb"
	for _, name := range []string{"identity.pb.go", "identity_grpc.pb.go"} {
		want, err := os.ReadFile(filepath.Join(out, dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if string(protocLine.ReplaceAll(got, nil)) != string(protocLine.ReplaceAll(want, nil)) {
			t.Errorf("%s/%s is not what scripts/genproto.sh generates from its .proto: run it and commit the result", dir, name)
		}
	}
}
