package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		r := oidcrs(t, nil, "", arg)
		assert.Equal(t, exitOK, r.code)
		for _, want := range []string{"usage: oidcrs <command>", "keygen", "jwks", "check", "explain", "go doc", "Exit status"} {
			assert.Contains(t, r.stdout, want)
		}
	}
	// Every flag carries its own help, printed by flag.PrintDefaults.
	for cmd, flags := range map[string][]string{
		"keygen":  {"-type", "OIDC_RS_ENCRYPTION_KEY_TYPE", "-bits", "2048, 3072 or 4096", "-curve", "P-521", "-append FILE", "-out FILE", "0600"},
		"jwks":    nil,
		"check":   {"-json", `{"step", "ok", "detail", "hint"}`},
		"explain": {"-json", "JSON object"},
	} {
		r := oidcrs(t, nil, "", cmd, "-h")
		assert.Equal(t, exitOK, r.code, cmd)
		assert.True(t, strings.HasPrefix(r.stdout, "usage: oidcrs "+cmd), r.stdout)
		for _, want := range flags {
			assert.Contains(t, r.stdout, want, cmd)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	r := oidcrs(t, nil, "")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "usage: oidcrs <command>")
	assert.Empty(t, r.stdout)

	r = oidcrs(t, nil, "", "introspect")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown command "introspect"`)

	for _, args := range [][]string{{"jwks", "extra"}, {"check", "-yaml"}, {"check", "now"}} {
		r := oidcrs(t, nil, "", args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Contains(t, r.stderr, "run 'oidcrs "+args[0]+" -h' for usage", args)
	}
}

func TestColourOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	steps := []step{{Step: "settings", OK: true, Detail: "fine"}, {Step: "introspection", Detail: "refused\nsecond line", Hint: "fix it"}}
	var plain, coloured bytes.Buffer
	writeSteps(&plain, steps, false)
	writeSteps(&coloured, steps, true)
	assert.Equal(t, "✓ settings       fine\n"+
		"✗ introspection  refused\n"+
		"                 second line\n"+
		"                 fix: fix it\n"+
		"check failed: 1 of 2 steps\n", plain.String())
	assert.Contains(t, coloured.String(), green+"✓"+reset)
	assert.Contains(t, coloured.String(), red+"✗"+reset)
}

func TestRelative(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		4*time.Minute + 10*time.Second:  "in 4m 10s",
		-3*time.Minute - 2*time.Second:  "expired 3m 2s ago",
		7 * time.Second:                 "in 7s",
		0:                               "in 0s",
		time.Hour + 5*time.Minute:       "in 1h 5m",
		-(72*time.Hour + 3*time.Hour):   "expired 3d 3h ago",
		59*time.Minute + 59*time.Second: "in 59m 59s",
	} {
		assert.Equal(t, want, relative(now.Add(d), now), d)
	}
}
