package exports

import (
	"errors"
	"fmt"
	"strings"
)

// Begin and End mark the generated section of a Markdown document.
const (
	Begin = "<!-- exports:begin -->"
	End   = "<!-- exports:end -->"
)

// width is where Section wraps its lists of names.
const width = 76

// Section renders the generated Markdown for pkgs: a table of counts, then
// each package's names, between Begin and End.
func Section(pkgs []Package) string {
	var b strings.Builder
	b.WriteString(Begin + "\n")
	b.WriteString("<!-- Generated from the code: go test ./internal/exports -update -->\n\n")
	b.WriteString("| package | directory | exported names |\n| --- | --- | ---: |\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "| `%s` | `%s` | %d |\n", p.Name, p.Dir, len(p.Names))
	}
	for _, p := range pkgs {
		head := fmt.Sprintf("`%s` (%d):", p.Name, len(p.Names))
		b.WriteString("\n" + head)
		line := len(head)
		for i, n := range p.Names {
			word := "`" + n + "`"
			if i < len(p.Names)-1 {
				word += ","
			} else {
				word += "."
			}
			if line+1+len(word) > width {
				b.WriteString("\n")
				line = 0
			} else {
				b.WriteString(" ")
				line++
			}
			b.WriteString(word)
			line += len(word)
		}
		b.WriteString("\n")
	}
	b.WriteString(End)
	return b.String()
}

// Splice returns doc with its section between Begin and End (both included)
// replaced by section, and the section it held.
func Splice(doc, section string) (out, old string, err error) {
	i := strings.Index(doc, Begin)
	j := strings.Index(doc, End)
	if i < 0 || j < i || strings.Count(doc, Begin) != 1 || strings.Count(doc, End) != 1 {
		return "", "", errors.New("exports: want one " + Begin + " followed by one " + End)
	}
	j += len(End)
	return doc[:i] + section + doc[j:], doc[i:j], nil
}
