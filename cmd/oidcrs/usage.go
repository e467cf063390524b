package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// The usage text: a header, one section per command, the exit codes. doc.go
// repeats it, and a test keeps the two alike.
const (
	usageHeader = `oidcrs operates an OAuth 2.0 resource server built with oidcrs.

Usage:
  oidcrs keygen [-type RSA|EC] [-bits N] [-curve NAME] [-append FILE] [-out FILE]
  oidcrs jwks
  oidcrs check [-json]
  oidcrs explain [-json] < token-file
  oidcrs -h | oidcrs COMMAND -h

jwks, check and explain read the settings from the environment, as
core.NewFromEnv does: OIDC_RS_BACKEND_CLASS, OIDC_RS_CLIENT_ID,
OIDC_RS_CLIENT_SECRET, OIDC_OP_URL, OIDC_RS_PRIVATE_KEY_STR, ... (see
docs/configuration.md). No command prints a token, the client secret or a
private key, except keygen, whose output is a private key.
`
	usageKeygen = `
oidcrs keygen
  Prints a new private key as PKCS#8 PEM, ready for OIDC_RS_PRIVATE_KEY_STR.
  -type RSA|EC    key type, for OIDC_RS_ENCRYPTION_KEY_TYPE (default RSA)
  -bits N         RSA key size: 2048, 3072 or 4096 (default 3072)
  -curve NAME     EC curve: P-256, P-384 or P-521 (default P-256)
                  (with -append, the defaults are those of FILE's last key)
  -append FILE    print the keys of FILE ("-": stdin) first, then the new
                  key: the set for step 1 of a rotation
  -out FILE       write to FILE (mode 0600, replaced atomically) instead of
                  stdout; it may be the -append FILE
  Rotation: /jwks publishes every key in order, and the authorization
  server encrypts to the first one whose alg fits; an answer is decrypted
  with the key its JWE kid names. So, without downtime:
    1. oidcrs keygen -append keys.pem -out keys.pem, and deploy "old, new"
       to every replica: the AS still encrypts to old, all can decrypt new.
    2. Move the new key first, and deploy "new, old": the AS switches to
       new when it fetches /jwks again.
    3. Once the AS's copy of /jwks has expired (oidcrs sends max-age=300),
       deploy "new" alone.
`
	usageJWKS = `
oidcrs jwks
  Prints the public key set that /jwks serves for OIDC_RS_PRIVATE_KEY_STR,
  OIDC_RS_ENCRYPTION_ALGO and OIDC_RS_ENCRYPTION_KEY_TYPE. When the key is
  missing or wrong it prints the reference's message and why, and exits 2.
`
	usageCheck = `
oidcrs check [-json]
  Checks the settings, then the authorization server, step by step: one
  line per step, ✓ or ✗, with what to fix.
    settings       every problem at once, secrets redacted
    discovery      OIDC_OP_URL's metadata, when an endpoint is not set
    AS JWKS        the AS's signing keys, and that one of the algs of
                   OIDC_RS_SIGNING_ALGO is offered (jwt and
                   jwt-access-token backends, OIDC_RS_LOCAL_JWT)
    introspection  the RS credentials, sent with a made-up token: a
                   well-formed inactive answer proves them accepted
    JWT answer     (jwt backend) that answer decrypts with our key and
                   verifies with the AS's
  A step whose input failed is not run.
  -json           print a JSON array of {"step", "ok", "detail", "hint"}
`
	usageExplain = `
oidcrs explain [-json] < token-file
  Reads one access token from stdin (never from the command line, where
  shell history and ps would keep it; "Bearer " before it is allowed),
  makes the decision an API would make, and prints the verdict and the
  status the API would answer, the check that failed and its cause, the
  token's claims (sub, scope, audience, client_id, iss, exp; the others by
  name only) and whether the verdict came from a cache.
  -json           print one JSON object instead
`
	usageFooter = `
Exit codes:
  0  success: every check passed, the token is accepted
  1  a check failed, or the token is refused (an authorization server
     failure included)
  2  bad usage, or jwks and explain cannot run with the configuration

Colour: only when stdout is a terminal and NO_COLOR is not set.
`
)

// usageText is what oidcrs -h prints.
const usageText = usageHeader + usageKeygen + usageJWKS + usageCheck + usageExplain + usageFooter

// parseFlags parses a command's flags. It returns false with the exit code
// when the command must stop: 0 after -h (the command's section goes to
// stdout), 2 after a bad flag or an argument. With mayHoldToken, the
// error does not repeat the arguments: one of them may be a token pasted
// in the wrong place.
func parseFlags(fs *flag.FlagSet, args []string, section string, mayHoldToken bool, e *env) (int, bool) {
	var msg strings.Builder
	fs.SetOutput(&msg)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, strings.TrimPrefix(section, "\n")+usageFooter)
		return exitOK, false
	case err != nil && mayHoldToken:
		fmt.Fprintf(e.stderr, "%s: unknown flag (a token goes on stdin, never on the command line)\n", fs.Name())
	case err != nil:
		fmt.Fprint(e.stderr, msg.String())
	case fs.NArg() > 0 && mayHoldToken:
		fmt.Fprintf(e.stderr, "%s: takes no argument: give the token on stdin, e.g. %s < token.txt\n", fs.Name(), fs.Name())
	case fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
	default:
		return 0, true
	}
	usageHint(e.stderr, fs.Name())
	return exitUsage, false
}

func usageHint(w io.Writer, name string) {
	fmt.Fprintf(w, "run '%s -h' for usage\n", name)
}
