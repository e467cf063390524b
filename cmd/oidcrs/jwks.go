package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// jwksCommand prints the public key set /jwks serves for the configured
// key or keys, byte for byte, from core's own handler, as an application
// falling back to core.Disabled (or built with core.New, which parses the
// same keys) serves it. A missing or wrong key is a configuration error:
// the reference's message, the problems of the key settings, exit 2.
func jwksCommand(_ context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("oidcrs jwks", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, false, e); !ok {
		return code
	}
	// An unreadable unrelated variable (OIDC_TIMEOUT=abc) does not change
	// what /jwks serves: core.Disabled serves it from the settings read.
	s, _ := core.SettingsFromEnv(e.lookup)
	rec := &recorder{header: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "/jwks", nil)
	core.Disabled(s, errors.New("oidcrs jwks: serving /jwks only")).JWKSHandler().ServeHTTP(rec, req)
	if rec.status == http.StatusOK {
		fmt.Fprintf(e.stdout, "%s\n", rec.body.Bytes())
		return exitOK
	}
	var b struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &b)
	msg := []string{b.Error}
	keySettings := []string{"OIDC_RS_PRIVATE_KEY_STR", "OIDC_RS_ENCRYPTION_ALGO", "OIDC_RS_ENCRYPTION_KEY_TYPE"}
	for _, p := range setting.Split(s.Validate()) {
		if slices.Contains(keySettings, setting.NameOf(p)) {
			msg = append(msg, p.Error())
		}
	}
	fmt.Fprintf(e.stderr, "oidcrs jwks: /jwks would answer %d: %s\n", rec.status, strings.Join(msg, "\n  "))
	return exitUsage
}

// recorder is the smallest http.ResponseWriter that keeps an answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}
