package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/oidcrs/oidcrs/core"
)

// maxTokenInput bounds what explain reads from stdin; core refuses an
// Authorization header over 8 KiB anyway.
const maxTokenInput = 64 << 10

// explainCommand reads one token from stdin, makes the decision an API
// would make, through core's one entry point, and tells why.
func explainCommand(ctx context.Context, fs *flag.FlagSet, args []string, e *env) int {
	asJSON := fs.Bool("json", false, "print one JSON object instead of lines")
	if code, ok := parseFlags(fs, args, true, e); !ok {
		return code
	}
	if e.stdinTTY { // a pipe or a file is read without a prompt
		fmt.Fprintln(e.stderr, "Paste the access token, then press Enter. (It is never printed.)")
	}
	token, err := readToken(e.stdin, e.stdinTTY)
	if err != nil {
		fmt.Fprintf(e.stderr, "oidcrs explain: %v\n", err)
		return exitUsage
	}
	s, err := core.SettingsFromEnv(e.lookup)
	var rs *core.ResourceServer
	if err == nil {
		// The shared cache needs a store that this command does not link.
		s.CacheURL, s.CacheSecrets = "", nil
		rs, err = core.New(s)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "oidcrs explain: the settings cannot be used:\n  %s\nrun oidcrs check\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return exitUsage
	}
	defer rs.Close()
	authCtx, err := rs.Authenticate(ctx, []string{"Bearer " + token})
	v := newVerdict(rs, authCtx, err, token)
	if *asJSON {
		_ = writeJSON(e.stdout, v)
	} else {
		v.write(e.stdout)
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
	br := bufio.NewReaderSize(io.LimitReader(r, maxTokenInput+1), maxTokenInput+1)
	var b []byte
	var err error
	if tty {
		b, err = br.ReadSlice('\n')
	} else {
		b, err = io.ReadAll(br)
	}
	text := strings.TrimSpace(string(b))
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

// verdict is what explain tells of one decision: core's answer as an API
// sends it (ErrorResponse), the cause, and the claims of an accepted
// token. It is also the -json form, and holds no token and no secret.
type verdict struct {
	Accepted        bool    `json:"accepted"`
	Status          int     `json:"status"`
	Error           string  `json:"error,omitempty"`
	Description     string  `json:"error_description,omitempty"`
	WWWAuthenticate string  `json:"www_authenticate,omitempty"`
	RetryAfter      string  `json:"retry_after,omitempty"`
	Cause           string  `json:"cause,omitempty"`
	Claims          *claims `json:"claims,omitempty"`
}

// claims is the part of a TokenInfo that explain shows; the other claims
// are named, their values left out.
type claims struct {
	Subject   string   `json:"sub,omitempty"`
	Scope     string   `json:"scope,omitempty"`
	Audience  []string `json:"audience,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	ExpiresAt string   `json:"exp,omitempty"`
	ExpiresIn string   `json:"exp_relative,omitempty"`
	Other     []string `json:"other_claims,omitempty"`
}

// newVerdict reads Authenticate's result. Core promises that no text
// quotes the token; explain removes it all the same.
func newVerdict(rs *core.ResourceServer, authCtx context.Context, err error, token string) *verdict {
	if err != nil {
		r := rs.ErrorResponse(err)
		hide := strings.NewReplacer(token, "[the token]").Replace
		return &verdict{Status: r.Status, Error: r.Body.Error, Description: hide(r.Body.Description),
			WWWAuthenticate: hide(r.WWWAuthenticate), RetryAfter: r.RetryAfter, Cause: hide(err.Error())}
	}
	v := &verdict{Accepted: true, Status: 200}
	ti, ok := core.FromContext(authCtx)
	if !ok {
		return v
	}
	v.Claims = &claims{Subject: ti.Subject, Scope: strings.Join(ti.Scopes, " "), Audience: ti.Audience, ClientID: ti.ClientID, Issuer: ti.Issuer}
	if !ti.ExpiresAt.IsZero() {
		v.Claims.ExpiresAt = ti.ExpiresAt.UTC().Format(time.RFC3339)
		v.Claims.ExpiresIn = "in " + time.Until(ti.ExpiresAt).Round(time.Second).String()
	}
	shown := map[string]bool{"sub": true, "scope": true, rs.Settings().AudienceClaim: true, "client_id": true, "iss": true, "exp": true}
	for _, name := range slices.Sorted(maps.Keys(ti.Claims())) {
		if !shown[name] {
			v.Claims.Other = append(v.Claims.Other, name)
		}
	}
	return v
}

// write prints the verdict as aligned lines, leaving out empty values.
func (v *verdict) write(w io.Writer) {
	rows := [][2]string{{"verdict", "accepted: an API passes the request to its handler"}}
	if !v.Accepted {
		rows = [][2]string{{"verdict", fmt.Sprintf("refused: an API answers %d %s", v.Status, v.Error)},
			{"challenge", v.WWWAuthenticate}, {"retry after", v.RetryAfter}, {"failed check", v.Description}, {"cause", v.Cause}}
	}
	if c := v.Claims; c != nil {
		exp, other := c.ExpiresAt, strings.Join(c.Other, ", ")
		if exp != "" {
			exp += " (" + c.ExpiresIn + ")"
		}
		if other != "" {
			other += " (values not shown)"
		}
		rows = append(rows, [][2]string{{"sub", c.Subject}, {"scope", c.Scope}, {"audience", strings.Join(c.Audience, " ")},
			{"client_id", c.ClientID}, {"iss", c.Issuer}, {"exp", exp}, {"other claims", other}}...)
	}
	for _, r := range rows {
		if r[1] != "" {
			fmt.Fprintf(w, "%-12s %s\n", r[0], r[1])
		}
	}
}
