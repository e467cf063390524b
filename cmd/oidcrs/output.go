package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// step is one line of check: what was checked, whether it passed, what
// was seen, and, when it failed, what to fix. It is also the -json form.
type step struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Hint   string `json:"hint"`
}

// ANSI colours, written only when stdout is a terminal.
const green, red, reset = "\x1b[32m", "\x1b[31m", "\x1b[0m"

// paint colours s when colour is on.
func paint(on bool, colour, s string) string {
	if !on {
		return s
	}
	return colour + s + reset
}

// writeSteps prints the steps as text, one line each, details and hints
// indented under their step, then a summary.
func writeSteps(w io.Writer, steps []step, colour bool) {
	const width = 14 // of the step names
	indent := strings.Repeat(" ", width+3)
	failed := 0
	for _, s := range steps {
		mark := paint(colour, green, "✓")
		if !s.OK {
			failed, mark = failed+1, paint(colour, red, "✗")
		}
		fmt.Fprintf(w, "%s %-*s %s\n", mark, width, s.Step, indentLines(s.Detail, indent))
		if s.Hint != "" {
			fmt.Fprintf(w, "%sfix: %s\n", indent, indentLines(s.Hint, indent+"     "))
		}
	}
	if failed == 0 {
		fmt.Fprintln(w, paint(colour, green, fmt.Sprintf("check passed: %d steps", len(steps))))
	} else {
		fmt.Fprintln(w, paint(colour, red, fmt.Sprintf("check failed: %d of %d steps", failed, len(steps))))
	}
}

// indentLines indents every line of s but the first.
func indentLines(s, indent string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+indent)
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// orNone is s, or "(none)" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// relative says when t is from now: "in 4m 10s", "expired 3m 2s ago".
func relative(t, now time.Time) string {
	if d := t.Sub(now); d >= 0 {
		return "in " + short(d)
	}
	return "expired " + short(now.Sub(t)) + " ago"
}

// short writes d to the second, with at most two units: "3d 1h", "1h 5m",
// "4m 10s", "7s".
func short(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s >= 48*3600:
		return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
	case s >= 3600:
		return fmt.Sprintf("%dh %dm", s/3600, s%3600/60)
	case s >= 60:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}
