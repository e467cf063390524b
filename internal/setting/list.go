package setting

import "strings"

// List splits a list value: items separated by commas and/or white space.
// It also accepts a Python list literal such as ["RS256", "ES256"], as a
// Django setting would have been written. It returns nil for no item. It
// is the one list parser: scopes, algorithms and authorization servers
// are all read with it.
func List(v string) []string {
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	fields := strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	out := fields[:0]
	for _, f := range fields {
		if f = strings.Trim(f, `"'`); f != "" {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
