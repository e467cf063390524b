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

// Finding 6: printing a ResourceServer printed its client secret and the
// whole private key PEM; Settings.LogValue omitted fields that String
// printed. Every verb, and slog with both handlers, now redacts, and
// String and LogValue print the same fields.

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

// TestStringAndLogValueListTheSameFields: one list of fields behind both.
func TestStringAndLogValueListTheSameFields(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	rs := btRS(t, as, nil)
	st := rs.Settings()
	var names []string
	for _, a := range st.LogValue().Group() {
		names = append(names, a.Key)
		assert.Contains(t, st.String(), a.Key+"=", "String prints %s", a.Key)
	}
	assert.Len(t, names, 34, "every setting is listed")
	for _, want := range []string{"OIDC_RS_REALM", "OIDC_RS_LEEWAY", "OIDC_RS_CACHE_TTL", "OIDC_RS_CACHE_SIZE",
		"OIDC_RS_JWT_MAX_AGE", "OIDC_RS_CACHE_NEGATIVE_TTL", "OIDC_RS_CLIENT_AUTH_METHOD", "OIDC_PROXY"} {
		assert.Contains(t, names, want, "LogValue omitted %s before the fix", want)
	}
	assert.Equal(t, rs.Settings().LogValue().String(), rs.LogValue().String())
}
