package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/httpclient"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// checkCommand checks the settings, then the authorization server, step
// by step, and exits 0 only when every step passed.
func checkCommand(ctx context.Context, fs *flag.FlagSet, args []string, e *env) int {
	asJSON := fs.Bool("json", false, `print a JSON array of {"step", "ok", "detail", "hint"}`)
	if code, ok := parseFlags(fs, args, false, e); !ok {
		return code
	}
	s, readErr := core.SettingsFromEnv(e.lookup)
	steps := (&checker{ctx: ctx, s: s}).run(readErr)
	if *asJSON {
		if err := writeJSON(e.stdout, steps); err != nil {
			return exitFailed
		}
	} else {
		writeSteps(e.stdout, steps)
	}
	if slices.ContainsFunc(steps, func(s step) bool { return !s.OK }) {
		return exitFailed
	}
	return exitOK
}

// checker runs the steps of check in order, each one only when what it
// needs passed: the settings first, then discovery where it is used, then
// the AS's keys and the introspection endpoint.
type checker struct {
	ctx    context.Context
	s      core.Settings
	rs     *core.ResourceServer // built from the settings, as an API builds it
	client *http.Client         // the API's client, for the steps that core does not expose
}

func (c *checker) run(readErr error) []step {
	steps := []step{c.checkSettings(readErr)}
	if !steps[0].OK {
		return steps
	}
	defer c.rs.Close()
	s := c.s
	introspects := s.Backend == core.BackendJSON || s.Backend == core.BackendJWT
	usesKeys := s.Backend == core.BackendJWT || s.Backend == core.BackendJWTAccessToken || s.LocalJWT
	intro, keys := s.IntrospectionEndpoint, s.JWKSEndpoint
	if (introspects && intro == "") || (usesKeys && keys == "") {
		m, st := c.checkDiscovery(introspects && intro == "", usesKeys && keys == "")
		steps = append(steps, st)
		intro, keys = cmp.Or(intro, m.IntrospectionEndpoint), cmp.Or(keys, m.JWKSURI)
	}
	if usesKeys && keys != "" {
		steps = append(steps, c.checkASKeys(keys))
	}
	if introspects && intro != "" {
		steps = append(steps, c.checkIntrospection()...)
	}
	return steps
}

// checkSettings reports every problem at once: the unreadable variables,
// then what core.New (Validate) finds about the others; none prints a
// secret. Without any, it keeps the ResourceServer and a client like its.
func (c *checker) checkSettings(readErr error) step {
	s := c.s
	// The shared cache needs a store that this command does not link; a
	// made-up token would never be found in it anyway.
	s.CacheURL, s.CacheSecrets = "", nil
	rs, err := core.New(s)
	var all []string
	unreadable := map[string]bool{}
	for _, p := range setting.Split(readErr) {
		unreadable[setting.NameOf(p)] = true
		all = append(all, p.Error())
	}
	for _, p := range setting.Split(err) {
		if name := setting.NameOf(p); name == "" || !unreadable[name] {
			all = append(all, p.Error())
		}
	}
	if len(all) > 0 {
		return step{Step: "settings", Detail: fmt.Sprintf("%d problem(s):\n%s", len(all), strings.Join(all, "\n")),
			Hint: "set or correct the variables named above (docs/configuration.md)"}
	}
	c.rs, s = rs, rs.Settings() // with the defaults applied
	// New accepted OIDC_PROXY, which is all that the client refuses.
	c.client, _ = httpclient.New(httpclient.Config{Timeout: s.Timeout, Proxy: s.Proxy, InsecureSkipVerify: s.InsecureSkipVerify})
	who := fmt.Sprintf("client %s (%s)", s.ClientID, cmp.Or(string(s.ClientAuth), "auth method from the AS's metadata"))
	if s.Backend == core.BackendJWTAccessToken {
		who = "resource " + s.Resource
	}
	detail := fmt.Sprintf("backend %s, issuer %s, %s, scopes %q", s.Backend, s.Issuer, who, strings.Join(s.Scopes, " "))
	if s.InsecureSkipVerify {
		detail += "\nwarning: OIDC_VERIFY_SSL=false, the AS's TLS certificate is not verified"
	}
	return step{Step: "settings", OK: true, Detail: detail}
}

// step is one line of check: what was checked, whether it passed, what
// was seen, and, when it failed, what to fix. It is also the -json form.
type step struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Hint   string `json:"hint"`
}

// writeSteps prints the steps as text, one line each, details and hints
// indented under their step, then a summary.
func writeSteps(w io.Writer, steps []step) {
	const width = 14 // of the step names
	indent := strings.Repeat(" ", width+3)
	failed := 0
	for _, s := range steps {
		mark := "✓"
		if !s.OK {
			failed, mark = failed+1, "✗"
		}
		fmt.Fprintf(w, "%s %-*s %s\n", mark, width, s.Step, indentLines(s.Detail, indent))
		if s.Hint != "" {
			fmt.Fprintf(w, "%sfix: %s\n", indent, indentLines(s.Hint, indent+"     "))
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "check passed: %d steps\n", len(steps))
	} else {
		fmt.Fprintf(w, "check failed: %d of %d steps\n", failed, len(steps))
	}
}

// indentLines indents every line of s but the first.
func indentLines(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+indent)
}
