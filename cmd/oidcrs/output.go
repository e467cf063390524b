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
const (
	green = "\x1b[32m"
	red   = "\x1b[31m"
	reset = "\x1b[0m"
)

// paint colours s when colour is on.
func paint(on bool, colour, s string) string {
	if !on {
		return s
	}
	return colour + s + reset
}

// mark is the ✓ or ✗ of a step.
func mark(on, ok bool) string {
	if ok {
		return paint(on, green, "✓")
	}
	return paint(on, red, "✗")
}

// nameWidth aligns the details of the steps.
const nameWidth = 14

// writeSteps prints the steps as text, one line each, details and hints
// indented under their step, then a summary.
func writeSteps(w io.Writer, steps []step, colour bool) {
	indent := strings.Repeat(" ", nameWidth+3)
	failed := 0
	for _, s := range steps {
		if !s.OK {
			failed++
		}
		fmt.Fprintf(w, "%s %-*s %s\n", mark(colour, s.OK), nameWidth, s.Step, indentLines(s.Detail, indent))
		if s.Hint != "" {
			fmt.Fprintf(w, "%sfix: %s\n", indent, indentLines(s.Hint, indent+"     "))
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "%s\n", paint(colour, green, fmt.Sprintf("check passed: %d steps", len(steps))))
		return
	}
	fmt.Fprintf(w, "%s\n", paint(colour, red, fmt.Sprintf("check failed: %d of %d steps", failed, len(steps))))
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

// relative says when t is from now: "in 4m 10s", "expired 3m 2s ago".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	if d >= 0 {
		return "in " + short(d)
	}
	return "expired " + short(-d) + " ago"
}

// short writes d to the second, with at most two units: "1h 5m", "4m 10s",
// "7s".
func short(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h >= 48:
		return fmt.Sprintf("%dd %dh", h/24, h%24)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}
