package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/oidcrs/oidcrs/core"
)

// maxTokenInput bounds what explain reads from stdin; core refuses an
// Authorization header over 8 KiB anyway.
const maxTokenInput = 64 << 10

// explainCommand reads one token from stdin, makes the decision an API
// would make, through core's one entry point, and tells why.
func explainCommand(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("oidcrs explain", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object instead of lines")
	if code, ok := parseFlags(fs, args, true, e); !ok {
		return code
	}
	fail := func(format string, args ...any) int {
		fmt.Fprintf(e.stderr, "oidcrs explain: "+format+"\n", args...)
		return exitUsage
	}
	if e.stdinTTY { // a pipe or a file is read without a prompt
		fmt.Fprintln(e.stderr, "Paste the access token, then press Enter. (It is never printed.)")
	}
	token, err := readToken(e.stdin, e.stdinTTY)
	if err != nil {
		return fail("%v", err)
	}
	s, err := core.SettingsFromEnv(e.lookup)
	if err != nil {
		return fail("the settings cannot be read:\n  %s\nrun oidcrs check", strings.Join(lines(err), "\n  "))
	}
	// The shared cache needs a store that this command does not link.
	sharedCache := s.CacheURL != ""
	s.CacheURL, s.CacheSecrets = "", nil
	tr := &trace{}
	rs, err := core.New(s, core.WithObserver(tr.observer()))
	if err != nil {
		return fail("the settings cannot be used:\n  %s\nrun oidcrs check", strings.Join(lines(err), "\n  "))
	}
	defer rs.Close()

	authCtx, err := rs.Authenticate(ctx, []string{"Bearer " + token})
	calls, hits := tr.snapshot()
	v := &verdict{Accepted: err == nil, Status: 200, Cache: cacheNote(rs.Settings(), hits, sharedCache), Calls: calls}
	if err != nil {
		r := rs.ErrorResponse(err)
		v.Status, v.Error, v.Description = r.Status, r.Body.Error, r.Body.Description
		// Core promises that no text quotes the token; explain does not rely on it.
		hide := func(s string) string {
			if len(token) < 8 {
				return s
			}
			return strings.ReplaceAll(s, token, "[the token]")
		}
		v.WWWAuthenticate, v.RetryAfter, v.Cause = hide(r.WWWAuthenticate), r.RetryAfter, hide(err.Error())
		v.Description = hide(v.Description)
	} else if ti, ok := core.FromContext(authCtx); ok {
		v.Claims = newClaimsView(ti, rs.Settings().AudienceClaim, e.now())
	}
	if *asJSON {
		_ = writeJSON(e.stdout, v)
	} else {
		v.write(e.stdout, e.color)
	}
	if !v.Accepted {
		return exitFailed
	}
	return exitOK
}

// readToken reads one token: one line from a terminal, else the whole
// input. "Bearer " before it is dropped; anything else than one token is
// an error that does not repeat the input.
func readToken(r io.Reader, tty bool) (string, error) {
	br := bufio.NewReader(io.LimitReader(r, maxTokenInput+1))
	var text string
	var err error
	if tty {
		text, err = br.ReadString('\n')
	} else {
		var b []byte
		b, err = io.ReadAll(br)
		text = string(b)
	}
	text = strings.TrimSpace(text)
	if scheme, rest, _ := strings.Cut(text, " "); strings.EqualFold(scheme, "Bearer") {
		text = strings.TrimSpace(rest)
	}
	switch {
	case err != nil && !errors.Is(err, io.EOF):
		return "", errors.New("reading stdin failed")
	case len(text) > maxTokenInput:
		return "", fmt.Errorf("stdin holds over %d bytes: give one access token", maxTokenInput)
	case text == "":
		return "", errors.New("no token on stdin: give the access token on stdin, e.g. oidcrs explain < token.txt")
	case strings.ContainsAny(text, " \t\r\n"):
		return "", errors.New("stdin holds more than one word: give one access token")
	}
	return text, nil
}
