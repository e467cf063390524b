package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"slices"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// jwksCommand prints, byte for byte, what core's own /jwks handler serves
// for the configured keys. A missing or wrong key is a configuration
// error: the reference's message, the key settings' problems, exit 2.
func jwksCommand(_ context.Context, fs *flag.FlagSet, args []string, e *env) int {
	if code, ok := parseFlags(fs, args, false, e); !ok {
		return code
	}
	// An unreadable unrelated variable (OIDC_TIMEOUT=abc) does not change
	// what /jwks serves: core.Disabled serves it from the settings read.
	s, _ := core.SettingsFromEnv(e.lookup)
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	req, _ := http.NewRequest(http.MethodGet, "/jwks", nil)
	core.Disabled(s, errors.New("oidcrs jwks: serving /jwks only")).JWKSHandler().ServeHTTP(rec, req)
	if rec.status == http.StatusOK {
		fmt.Fprintf(e.stdout, "%s\n", rec.Bytes())
		return exitOK
	}
	fmt.Fprintf(e.stderr, "oidcrs jwks: /jwks would answer %d %s\n", rec.status, bytes.TrimSpace(rec.Bytes()))
	for _, p := range setting.Split(s.Validate()) {
		if slices.Contains([]string{"OIDC_RS_PRIVATE_KEY_STR", "OIDC_RS_ENCRYPTION_ALGO", "OIDC_RS_ENCRYPTION_KEY_TYPE"}, setting.NameOf(p)) {
			fmt.Fprintf(e.stderr, "  %v\n", p)
		}
	}
	return exitUsage
}

// recorder is the smallest http.ResponseWriter that keeps an answer.
type recorder struct {
	bytes.Buffer
	header http.Header
	status int
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) { r.status = status }
