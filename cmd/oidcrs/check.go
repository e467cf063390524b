package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/internal/httpclient"
	"github.com/oidcrs/oidcrs/internal/pemkeys"
	"github.com/oidcrs/oidcrs/internal/setting"
)

// checkCommand checks the settings, then the authorization server, step
// by step, and exits 0 only when every step passed.
func checkCommand(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("oidcrs check", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, `print a JSON array of {"step", "ok", "detail", "hint"}`)
	if code, ok := parseFlags(fs, args, false, e); !ok {
		return code
	}
	s, readErr := core.SettingsFromEnv(e.lookup)
	c := &checker{ctx: ctx, s: s}
	c.run(readErr)
	if *asJSON {
		if err := writeJSON(e.stdout, c.steps); err != nil {
			return exitFailed
		}
	} else {
		writeSteps(e.stdout, c.steps, e.color)
	}
	if slices.ContainsFunc(c.steps, func(s step) bool { return !s.OK }) {
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
	client *http.Client
	steps  []step
}

func (c *checker) add(st step) bool {
	c.steps = append(c.steps, st)
	return st.OK
}

func (c *checker) run(readErr error) {
	if !c.add(c.checkSettings(readErr)) {
		return
	}
	s := c.s
	// The settings passed Validate, whose proxy check is the client's.
	c.client, _ = httpclient.New(httpclient.Config{Timeout: s.Timeout, Proxy: s.Proxy, InsecureSkipVerify: s.InsecureSkipVerify})
	introspects := s.Backend == core.BackendJSON || s.Backend == core.BackendJWT
	usesKeys := s.Backend == core.BackendJWT || s.Backend == core.BackendJWTAccessToken || s.LocalJWT
	intro, keys := s.IntrospectionEndpoint, s.JWKSEndpoint
	if (introspects && intro == "") || (usesKeys && keys == "") {
		m, st := c.checkDiscovery(introspects && intro == "", usesKeys && keys == "")
		c.add(st)
		intro, keys = cmp.Or(intro, m.IntrospectionEndpoint), cmp.Or(keys, m.JWKSURI)
	}
	if usesKeys && keys != "" {
		c.add(c.checkASKeys(keys))
	}
	if introspects && intro != "" {
		for _, st := range c.checkIntrospection() {
			c.add(st)
		}
	}
}

// checkSettings reports every problem of the settings at once: the
// unreadable variables, then what Validate finds about the others. Both
// name variables and never print a secret or a key.
func (c *checker) checkSettings(readErr error) step {
	s := c.s
	var all []string
	unreadable := map[string]bool{}
	for _, p := range setting.Split(readErr) {
		unreadable[setting.NameOf(p)] = true
		all = append(all, p.Error())
	}
	for _, p := range setting.Split(s.Validate()) {
		if name := setting.NameOf(p); name == "" || !unreadable[name] {
			all = append(all, p.Error())
		}
	}
	if len(all) > 0 {
		return step{Step: "settings", Detail: fmt.Sprintf("%d problem(s):\n%s", len(all), strings.Join(all, "\n")),
			Hint: "set or correct the variables named above (docs/configuration.md)"}
	}
	lines := []string{fmt.Sprintf("backend %s, issuer %s", s.Backend, s.Issuer)}
	if s.Backend != core.BackendJWTAccessToken {
		auth := cmp.Or(string(s.ClientAuth), string(core.ClientSecretPost))
		lines = append(lines, fmt.Sprintf("client %s (%s), scopes %s", s.ClientID, auth, strings.Join(s.Scopes, " ")))
	} else {
		lines = append(lines, fmt.Sprintf("resource %s, scopes %s", s.Resource, strings.Join(s.Scopes, " ")))
	}
	if keys, err := pemkeys.Parse(s.PrivateKey, s.KeyType); err == nil {
		var parts []string
		for _, k := range keys {
			parts = append(parts, joinNonEmpty(keyType(k), s.EncryptionAlgorithm, "kid "+k.KeyID))
		}
		lines = append(lines, fmt.Sprintf("/jwks publishes %d key(s): %s", len(keys), strings.Join(parts, ", ")))
	}
	if s.InsecureSkipVerify {
		lines = append(lines, "warning: OIDC_VERIFY_SSL=false, the AS's TLS certificate is not verified")
	}
	if s.CacheURL != "" {
		lines = append(lines, "note: the shared cache (OIDC_RS_CACHE_URL) is not checked by this command")
	}
	return step{Step: "settings", OK: true, Detail: strings.Join(lines, "\n")}
}

// joinNonEmpty joins the non-empty words with spaces.
func joinNonEmpty(words ...string) string {
	return strings.Join(slices.DeleteFunc(words, func(w string) bool { return w == "" }), " ")
}
