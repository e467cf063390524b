package main

import (
	"flag"
	"fmt"
	"net/http"
	"strings"
)

// jwksCommand prints the public key set /jwks serves for the configured
// key or keys, byte for byte, from core's own handler. A missing or wrong
// key is a configuration error: the reference's message, the problems
// behind it, exit 2.
func jwksCommand(args []string, e *env) int {
	fs := flag.NewFlagSet("oidcrs jwks", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, usageJWKS, false, e); !ok {
		return code
	}
	// An unreadable unrelated variable (OIDC_TIMEOUT=abc) does not change
	// what /jwks serves: core.Disabled serves it from the settings read.
	s, _ := e.settings()
	status, body := servedJWKS(s)
	if status == http.StatusOK {
		fmt.Fprintf(e.stdout, "%s\n", body)
		return exitOK
	}
	_, err := publishedKeys(s)
	fmt.Fprintf(e.stderr, "oidcrs jwks: /jwks would answer %d: %s\n", status, strings.TrimSpace(err.Error()))
	return exitUsage
}
