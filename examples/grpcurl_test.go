//go:build unix

package examples_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// grpcurlPackage is the grpcurl the tests call the gRPC example with, a
// tool this project did not write, as a user would.
const grpcurlPackage = "github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4"

// grpcurlBuilt is the one build of grpcurl that every test shares; it
// goes into the examples' build directory, which TestMain removes.
var grpcurlBuilt struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// buildGrpcurl installs grpcurl into the examples' build directory, once
// for all the tests, and returns its path.
func buildGrpcurl(t *testing.T) string {
	t.Helper()
	dir := buildExamples(t)
	grpcurlBuilt.once.Do(func() {
		gobin := filepath.Join(dir, "grpcurl-bin")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", grpcurlPackage)
		cmd.Env = append(os.Environ(), "GOBIN="+gobin)
		grpcurlBuilt.out, grpcurlBuilt.err = cmd.CombinedOutput()
		grpcurlBuilt.path = filepath.Join(gobin, "grpcurl")
	})
	require.NoError(t, grpcurlBuilt.err, "go install %s: %s", grpcurlPackage, grpcurlBuilt.out)
	return grpcurlBuilt.path
}

// grpcurlRun is what one grpcurl command printed, tokens redacted.
type grpcurlRun struct {
	code   codes.Code // from grpcurl's exit status: 64 + the call's code
	stdout string
	stderr string
}

// trailer returns the values of the www-authenticate trailer that
// grpcurl -v printed.
func (r grpcurlRun) trailer() []string {
	_, after, ok := strings.Cut(r.stdout, "Response trailers received:\n")
	if !ok {
		return nil
	}
	var vals []string
	for _, line := range strings.Split(after, "\n") {
		if v, ok := strings.CutPrefix(line, "www-authenticate: "); ok {
			vals = append(vals, v)
		}
	}
	return vals
}

// grpcurl runs bin with args. The token, when not "", goes in through the
// TOKEN variable (args say ${TOKEN} with -expand-headers), never on the
// command line; it is redacted from the output, which the test logs as a
// session transcript.
func grpcurl(t *testing.T, bin, token string, args ...string) grpcurlRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = []string{"TOKEN=" + token}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	redact := func(s string) string {
		if token == "" {
			return s
		}
		return strings.ReplaceAll(s, token, "<token>")
	}
	run := grpcurlRun{code: codes.OK, stdout: redact(o.String()), stderr: redact(e.String())}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() > 64 {
		run.code = codes.Code(exit.ExitCode() - 64)
	} else {
		require.NoError(t, err, "grpcurl: %s", run.stderr)
	}
	var quoted []string
	for _, a := range args {
		if strings.ContainsAny(a, " ${}") {
			a = "'" + a + "'"
		}
		quoted = append(quoted, a)
	}
	t.Logf("$ grpcurl %s\n%s%s", strings.Join(quoted, " "), run.stdout, run.stderr)
	return run
}

// TestGRPCWithGrpcurl calls the gRPC example with grpcurl, which knows
// nothing of it but what server reflection tells: it lists and describes
// the services, checks health without a token, and calls WhoAmI without a
// token, with a token lacking the server's scope, with two authorization
// values, with a valid token, and with the authorization server stopped.
func TestGRPCWithGrpcurl(t *testing.T) {
	bin := buildExamples(t)
	tool := buildGrpcurl(t)
	addr, grpcAddr := freeAddr(t), freeAddr(t)
	as, env := externalAS(t, oidcrstest.JSON, addr)
	env["GRPC_ADDR"] = grpcAddr
	p := start(t, bin+"/grpc", env)
	p.waitFor(t, "Listening on http://"+addr)
	const whoAmI = "oidcrs.examples.Identity/WhoAmI"
	withToken := []string{"-plaintext", "-v", "-expand-headers", "-H", "authorization: Bearer ${TOKEN}", grpcAddr, whoAmI}

	t.Run("list, through public reflection", func(t *testing.T) {
		got := grpcurl(t, tool, "", "-plaintext", grpcAddr, "list")
		require.Equal(t, codes.OK, got.code, got.stderr)
		assert.Equal(t, "grpc.health.v1.Health\ngrpc.reflection.v1.ServerReflection\n"+
			"grpc.reflection.v1alpha.ServerReflection\noidcrs.examples.Identity\n", got.stdout)
		got = grpcurl(t, tool, "", "-plaintext", grpcAddr, "describe", "oidcrs.examples.Identity")
		require.Equal(t, codes.OK, got.code, got.stderr)
		assert.Contains(t, got.stdout, "rpc WhoAmI ( .oidcrs.examples.WhoAmIRequest ) returns ( .oidcrs.examples.WhoAmIResponse );")
	})
	t.Run("health, public", func(t *testing.T) {
		got := grpcurl(t, tool, "", "-plaintext", grpcAddr, "grpc.health.v1.Health/Check")
		require.Equal(t, codes.OK, got.code, got.stderr)
		assert.JSONEq(t, `{"status":"SERVING"}`, got.stdout)
	})
	t.Run("no token: Unauthenticated", func(t *testing.T) {
		got := grpcurl(t, tool, "", "-plaintext", "-v", grpcAddr, whoAmI)
		assert.Equal(t, codes.Unauthenticated, got.code, got.stderr)
		assert.Contains(t, got.stderr, "Message: Authentication credentials were not provided.")
		assert.Equal(t, []string{`Bearer realm="oidcrs"`}, got.trailer())
	})
	t.Run("wrong scope: PermissionDenied", func(t *testing.T) {
		got := grpcurl(t, tool, as.Mint(map[string]any{"scope": "openid"}), withToken...)
		assert.Equal(t, codes.PermissionDenied, got.code, got.stderr)
		require.Len(t, got.trailer(), 1, got.stdout)
		assert.True(t, strings.HasPrefix(got.trailer()[0], `Bearer realm="oidcrs", error="insufficient_scope", `), got.trailer()[0])
		assert.Contains(t, got.trailer()[0], `scope="`)
	})
	t.Run("two authorization values: InvalidArgument", func(t *testing.T) {
		got := grpcurl(t, tool, "", "-plaintext", "-v", "-H", "authorization: Bearer one", "-H", "authorization: Bearer two", grpcAddr, whoAmI)
		assert.Equal(t, codes.InvalidArgument, got.code, got.stderr)
		assert.Equal(t, []string{`Bearer realm="oidcrs", error="invalid_request", error_description="Invalid Authorization header."`}, got.trailer())
	})
	t.Run("valid token: OK", func(t *testing.T) {
		got := grpcurl(t, tool, as.Mint(nil), "-plaintext", "-expand-headers", "-H", "authorization: Bearer ${TOKEN}", grpcAddr, whoAmI)
		require.Equal(t, codes.OK, got.code, got.stderr)
		assert.JSONEq(t, `{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups"]}`, got.stdout)
	})
	t.Run("authorization server stopped: Unavailable", func(t *testing.T) {
		tok := as.Mint(nil) // not in the example's cache
		as.Close()
		got := grpcurl(t, tool, tok, withToken...)
		assert.Equal(t, codes.Unavailable, got.code, got.stderr)
	})
	p.stop(t)
}
