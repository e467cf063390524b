package core

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// settingField is one printed setting: its environment variable name and
// its value, already redacted.
type settingField struct{ name, value string }

// fields lists every setting of the settings table, redacted, so that
// String, Format, LogValue and MarshalJSON print the same fields.
func (s Settings) fields() []settingField {
	out := make([]settingField, len(settingsTable))
	for i, row := range settingsTable {
		out[i] = settingField{row.name, row.show(&s)}
	}
	return out
}

// String prints every setting, the client secret and the private key
// redacted, as {NAME=value ...} with the environment variable names.
func (s Settings) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range s.fields() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f.name)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(f.value))
	}
	b.WriteByte('}')
	return b.String()
}

// Format redacts for every fmt verb: %#v prints core.Settings{...}, any
// other verb String. Without it, verbs such as %d would print the fields,
// secret included, through reflection.
func (s Settings) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, s.String(), "core.Settings"+s.String())
}

// LogValue implements slog.LogValuer with the fields String prints.
func (s Settings) LogValue() slog.Value {
	fs := s.fields()
	attrs := make([]slog.Attr, len(fs))
	for i, f := range fs {
		attrs[i] = slog.String(f.name, f.value)
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON writes the fields String prints, redacted, as a JSON object,
// so that encoding/json (and slog's JSON handler, for Settings inside
// another struct) never writes the secret or the key.
func (s Settings) MarshalJSON() ([]byte, error) {
	fs := s.fields()
	m := make(map[string]string, len(fs))
	for _, f := range fs {
		m[f.name] = f.value
	}
	return json.Marshal(m)
}

// String prints the resource server's settings, redacted.
func (rs *ResourceServer) String() string {
	if rs == nil {
		return "core.ResourceServer(nil)"
	}
	return "core.ResourceServer" + rs.settings.String()
}

// Format redacts for every fmt verb, so that no verb prints the client
// secret, the private keys or the keys' numbers through reflection.
func (rs *ResourceServer) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(rs.String())) }

// LogValue implements slog.LogValuer: the settings, redacted.
func (rs *ResourceServer) LogValue() slog.Value {
	if rs == nil {
		return slog.StringValue("nil")
	}
	return rs.settings.LogValue()
}

func formatRedacted(f fmt.State, verb rune, s, gos string) {
	if verb == 'v' && f.Flag('#') {
		s = gos
	}
	_, _ = f.Write([]byte(s))
}
