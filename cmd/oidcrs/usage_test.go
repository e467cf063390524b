package main

import (
	"bytes"
	"strings"
	"testing"

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

func TestWriteSteps(t *testing.T) {
	t.Parallel()
	steps := []step{{Step: "settings", OK: true, Detail: "fine"}, {Step: "introspection", Detail: "refused\nsecond line", Hint: "fix it"}}
	var out bytes.Buffer
	writeSteps(&out, steps)
	assert.Equal(t, "✓ settings       fine\n"+
		"✗ introspection  refused\n"+
		"                 second line\n"+
		"                 fix: fix it\n"+
		"check failed: 1 of 2 steps\n", out.String())
}
