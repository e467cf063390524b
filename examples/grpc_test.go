//go:build unix

package examples_test

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/oidcrs/oidcrs/core/oidcrstest"
	"github.com/oidcrs/oidcrs/examples/grpc/identitypb"
)

var whoamiLine = regexp.MustCompile(`go run ./examples/grpc/whoami -addr (\S+) -token ([A-Za-z0-9_-]+)$`)

// testDevGRPC runs the gRPC example with its development authorization
// server, calls it with the token it prints, through the printed client
// command too.
func testDevGRPC(t *testing.T, bin string) {
	addr, grpcAddr := freeAddr(t), freeAddr(t)
	p := start(t, bin+"/grpc", map[string]string{"ADDR": addr, "GRPC_ADDR": grpcAddr})
	out := p.waitFor(t, "Listening on http://"+addr)
	require.Contains(t, out, "Serving gRPC on "+grpcAddr)
	var token string
	for _, line := range out {
		if m := whoamiLine.FindStringSubmatch(line); m != nil && m[1] == grpcAddr {
			token = m[2]
		}
	}
	require.NotEmpty(t, token, "no whoami command for %s in:\n%s", grpcAddr, strings.Join(out, "\n"))
	checkGRPC(t, "http://"+addr, grpcAddr, token, "")

	t.Run("the printed command", func(t *testing.T) {
		stdout, stderr, err := runWhoami(t, bin, "-addr", grpcAddr, "-token", token)
		require.NoError(t, err, stderr)
		assert.JSONEq(t, `{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups"]}`, stdout)
		_, stderr, err = runWhoami(t, bin, "-addr", grpcAddr)
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "%v", err)
		assert.Equal(t, 1, exit.ExitCode())
		assert.Equal(t, "Unauthenticated: Authentication credentials were not provided.\n"+
			`www-authenticate: Bearer realm="oidcrs"`+"\n", stderr)
	})
	p.stop(t)
}

// testExternalGRPC runs the gRPC example against a fake authorization
// server configured by the reference's variables only.
func testExternalGRPC(t *testing.T, bin string, mode oidcrstest.Mode) {
	addr, grpcAddr := freeAddr(t), freeAddr(t)
	as, env := externalAS(t, mode, addr)
	env["GRPC_ADDR"] = grpcAddr
	p := start(t, bin+"/grpc", env)
	out := p.waitFor(t, "Listening on http://"+addr)
	assert.NotContains(t, strings.Join(out, "\n"), "development authorization server")
	checkGRPC(t, "http://"+addr, grpcAddr, as.Mint(nil), as.Mint(map[string]any{"scope": "groups admin"}))
	assert.Positive(t, as.IntrospectionCalls())
	p.stop(t)
}

func runWhoami(t *testing.T, bin string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin+"/whoami", args...)
	cmd.Env = []string{} // no TOKEN from the environment
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// grpcAnswer is what a WhoAmI call got.
type grpcAnswer struct {
	code      codes.Code
	message   string
	challenge string // the www-authenticate trailer
	body      string // the answer as JSON, every field under its proto name
}

func callWhoAmI(t *testing.T, conn *grpc.ClientConn, token string) grpcAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	var trailer metadata.MD
	me, err := identitypb.NewIdentityClient(conn).WhoAmI(ctx, &identitypb.WhoAmIRequest{}, grpc.Trailer(&trailer))
	st := status.Convert(err)
	got := grpcAnswer{code: st.Code(), message: st.Message(), challenge: strings.Join(trailer.Get("www-authenticate"), "\n")}
	if err == nil {
		body, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(me)
		require.NoError(t, err)
		got.body = string(body)
	}
	return got
}

func dialGRPC(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// checkGRPC calls WhoAmI without a token, with me (scope groups), admin
// (groups and admin; skipped when "") and an unknown token; the health
// service without a token; and /healthz and /jwks over HTTP.
func checkGRPC(t *testing.T, base, grpcAddr, me, admin string) {
	conn := dialGRPC(t, grpcAddr)
	for _, tc := range []struct {
		name, token string
		want        grpcAnswer
	}{
		{"no token", "", grpcAnswer{code: codes.Unauthenticated, message: "Authentication credentials were not provided.",
			challenge: `Bearer realm="oidcrs"`}},
		{"me", me, grpcAnswer{code: codes.OK,
			body: `{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups"]}`}},
		{"admin", admin, grpcAnswer{code: codes.OK,
			body: `{"sub":"user-1","audience":"sp-client","client_id":"sp-client","scopes":["groups","admin"]}`}},
		{"unknown token", "unknown-token", grpcAnswer{code: codes.Unauthenticated, message: "Introspected user is not active",
			challenge: `Bearer realm="oidcrs", error="invalid_token", error_description="Introspected user is not active"`}},
	} {
		if tc.token == "" && tc.name != "no token" {
			continue
		}
		t.Run("WhoAmI "+tc.name, func(t *testing.T) {
			got := callWhoAmI(t, conn, tc.token)
			assert.Equal(t, tc.want.code, got.code, got.message)
			assert.Equal(t, tc.want.message, got.message)
			assert.Equal(t, tc.want.challenge, got.challenge)
			if tc.want.body != "" {
				assert.JSONEq(t, tc.want.body, got.body)
			}
		})
	}
	t.Run("health, public", func(t *testing.T) {
		resp, err := healthpb.NewHealthClient(conn).Check(t.Context(), &healthpb.HealthCheckRequest{})
		require.NoError(t, err)
		assert.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.GetStatus())
	})
	t.Run("healthz", func(t *testing.T) {
		resp, body := get(t, base+"/healthz", "")
		assert.Equal(t, 200, resp.StatusCode)
		assert.JSONEq(t, `{"status":"ok"}`, string(body))
	})
	checkJWKS(t, base)
	checkNoMetrics(t, base)
}
