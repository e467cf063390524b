package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// The exit codes, documented in the usage text.
const (
	exitOK     = 0 // success: check passed, the token is accepted
	exitFailed = 1 // a check failed, or the token is refused
	exitUsage  = 2 // bad usage, or a configuration the command cannot run with
)

// env is what a command may touch of the process: its environment, its
// standard streams and the clock. main fills it from the real process.
type env struct {
	lookup   core.LookupFunc
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	color    bool // stdout is a terminal and NO_COLOR is unset
	stdinTTY bool // stdin is a terminal: a person will paste the token
	now      func() time.Time
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], &env{
		lookup:   os.LookupEnv,
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		color:    isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "",
		stdinTTY: isTerminal(os.Stdin),
		now:      time.Now,
	})
	stop()
	os.Exit(code)
}

// run dispatches to the command named by args[0] and returns the exit code.
func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usageText)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, usageText)
		return exitOK
	case "keygen":
		return keygenCommand(args[1:], e)
	case "jwks":
		return jwksCommand(args[1:], e)
	case "check":
		return checkCommand(ctx, args[1:], e)
	case "explain":
		return explainCommand(ctx, args[1:], e)
	}
	fmt.Fprintf(e.stderr, "oidcrs: unknown command %q (run oidcrs -h)\n", args[0])
	return exitUsage
}

// isTerminal reports whether f is a character device, a terminal, with no
// dependency on a terminal package.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// settings reads the settings as core.NewFromEnv does. The error
// lists every unreadable variable; it never holds a secret.
func (e *env) settings() (core.Settings, error) {
	return core.SettingsFromEnv(e.lookup)
}
