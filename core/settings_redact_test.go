package core_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestPrintingNeverShowsSecrets prints and logs a ResourceServer and its
// Settings with every verb and both slog handlers: the client secret and
// the private key never appear.
func TestPrintingNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JWT)
	st := btSettings(t, as)
	st.ClientSecret = "s3cr3t-value-xyz"
	rs, err := core.New(st)
	require.NoError(t, err)
	secrets := append([]string{st.ClientSecret, "PRIVATE KEY"}, btKeyMaterial(st.PrivateKey)...)
	values := map[string]any{"*ResourceServer": rs, "Settings": st, "*Settings": &st,
		"ResourceServer in a struct": struct{ RS *core.ResourceServer }{rs},
		"Settings in a struct":       struct{ S core.Settings }{st}}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q", "%T %[1]v"} {
			out := fmt.Sprintf(verb, v)
			for _, s := range secrets {
				require.NotContains(t, out, s, "%s printed with %s", name, verb)
			}
		}
		for hname, h := range map[string]func(*bytes.Buffer) slog.Handler{
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("x", slog.Any("v", v), "w", v)
			for _, s := range secrets {
				require.NotContains(t, buf.String(), s, "%s logged by the %s handler", name, hname)
			}
			if name == "*ResourceServer" || name == "Settings" {
				assert.Contains(t, buf.String(), "[REDACTED]", hname)
			}
		}
	}
	// The key numbers of the private key never appear either.
	assert.NotContains(t, fmt.Sprintf("%#v", rs), "PrivateKey")
}
