package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"-h", "-help", "--help", "help"} {
		r := oidcrs(t, nil, "", arg)
		assert.Equal(t, exitOK, r.code)
		assert.Equal(t, usageText, r.stdout)
	}
	for _, want := range []string{"oidcrs keygen", "-type", "-bits", "-curve", "-append", "-out",
		"oidcrs jwks", "oidcrs check", "-json", "oidcrs explain", "Exit codes:", "0  success", "1  a check failed", "2  bad usage"} {
		assert.Contains(t, usageText, want)
	}
	for cmd, section := range map[string]string{"keygen": usageKeygen, "jwks": usageJWKS, "check": usageCheck, "explain": usageExplain} {
		r := oidcrs(t, nil, "", cmd, "-h")
		assert.Equal(t, exitOK, r.code, cmd)
		assert.Equal(t, strings.TrimPrefix(section, "\n")+usageFooter, r.stdout, cmd)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	r := oidcrs(t, nil, "")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, usageText, r.stderr)
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

// TestDocUsage keeps the usage in doc.go the one oidcrs -h prints.
func TestDocUsage(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	var doc []string
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "//\t"); ok {
			doc = append(doc, rest)
		}
	}
	var want []string
	for line := range strings.SplitSeq(usageText, "\n") {
		if line != "" {
			want = append(want, line)
		}
	}
	require.NotEmpty(t, doc)
	assert.Equal(t, want, doc[1:], "doc.go's usage differs from usageText: regenerate it") // doc[0] is the go install line
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
