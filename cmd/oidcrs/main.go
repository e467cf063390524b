package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// The exit codes, documented in doc.go.
const (
	exitOK     = 0 // success: check passed, the token is accepted
	exitFailed = 1 // a check failed, or the token is refused
	exitUsage  = 2 // bad usage, or a configuration the command cannot run with
)

// env is what a command may touch of the process, filled in by main.
type env struct {
	lookup         core.LookupFunc
	stdin          io.Reader
	stdout, stderr io.Writer
	stdinTTY       bool // stdin is a terminal: a person will paste the token
}

// command is one subcommand: its name, its arguments and what it does, for
// the usage, and its function, which parses its flags into fs.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, fs *flag.FlagSet, args []string, e *env) int
}

var commands = []command{
	{"keygen", "[flags]", "prints a new private key for OIDC_RS_PRIVATE_KEY_STR", keygenCommand},
	{"jwks", "", "prints the public key set that /jwks serves", jwksCommand},
	{"check", "[-json]", "checks the settings, then the authorization server, step by step", checkCommand},
	{"explain", "[-json] < token-file", "tells why the access token on stdin is accepted or refused", explainCommand},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	fi, err := os.Stdin.Stat()
	code := run(ctx, os.Args[1:], &env{lookup: os.LookupEnv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		stdinTTY: err == nil && fi.Mode()&os.ModeCharDevice != 0})
	stop()
	os.Exit(code)
}

// run dispatches to the command named by args[0] and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			fs := flag.NewFlagSet("oidcrs "+c.name, flag.ContinueOnError)
			fs.Usage = func() {
				fmt.Fprintf(fs.Output(), "usage: oidcrs %s %s\n\n%s.\n", c.name, c.args, c.summary)
				fs.PrintDefaults()
			}
			return c.run(ctx, fs, args[1:], e)
		}
	}
	fmt.Fprintf(e.stderr, "oidcrs: unknown command %q (run oidcrs -h)\n", args[0])
	return exitUsage
}

// usage lists the commands; doc.go tells the rest.
func usage(w io.Writer) {
	fmt.Fprint(w, "usage: oidcrs <command> [flags]\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'oidcrs <command> -h' for its flags, 'go doc github.com/oidcrs/oidcrs/cmd/oidcrs' for details.\n"+
		"Exit status: 0 success, 1 a check failed or the token is refused, 2 bad usage.\n")
}

// parseFlags parses the flags of a command. It returns false with the exit
// code when the command must stop: 0 after -h (the usage line and the
// flags' help go to stdout), 2 after a bad flag or an argument. With
// mayHoldToken, the error does not repeat the arguments: one of them may
// be a token pasted in the wrong place.
func parseFlags(fs *flag.FlagSet, args []string, mayHoldToken bool, e *env) (int, bool) {
	var msg strings.Builder
	fs.SetOutput(&msg)
	err := fs.Parse(args)
	switch first, _, _ := strings.Cut(msg.String(), "\n"); {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(e.stdout, msg.String())
		return exitOK, false
	case (err != nil || fs.NArg() > 0) && mayHoldToken:
		fmt.Fprintf(e.stderr, "%s: takes no argument and no such flag: give the token on stdin, e.g. %s < token.txt\n", fs.Name(), fs.Name())
	case err != nil:
		fmt.Fprintln(e.stderr, first)
	case fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
	default:
		return 0, true
	}
	fmt.Fprintf(e.stderr, "run '%s -h' for usage\n", fs.Name())
	return exitUsage, false
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
