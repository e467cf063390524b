package core_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oidcrs/oidcrs/core"
	"github.com/oidcrs/oidcrs/core/oidcrstest"
)

// TestDPoPSettingsValidate checks that Validate and New refuse a bad
// OIDC_RS_DPOP or OIDC_RS_EXTERNAL_URL, naming the setting, and take the
// good ones.
func TestDPoPSettingsValidate(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	for _, tc := range []struct {
		name string
		edit func(*core.Settings)
		bad  string // the setting the error names; "": valid
	}{
		{"default mode", func(s *core.Settings) {}, ""},
		{"off", func(s *core.Settings) { s.DPoP = core.DPoPOff }, ""},
		{"unknown mode", func(s *core.Settings) { s.DPoP = "sometimes" }, "OIDC_RS_DPOP"},
		{"mode in capitals", func(s *core.Settings) { s.DPoP = "Required" }, "OIDC_RS_DPOP"},
		{"required without a URL", func(s *core.Settings) { s.DPoP = core.DPoPRequired }, "OIDC_RS_DPOP"},
		{"required with the external URL", func(s *core.Settings) { s.DPoP, s.ExternalURL = core.DPoPRequired, dpopExternal }, ""},
		{"required with the resource", func(s *core.Settings) { s.DPoP, s.Resource = core.DPoPRequired, "https://api.example/v1" }, ""},
		{"external URL with a port", func(s *core.Settings) { s.ExternalURL = "http://127.0.0.1:8080" }, ""},
		{"external URL with a slash", func(s *core.Settings) { s.ExternalURL = dpopExternal + "/" }, ""},
		{"external URL with a path", func(s *core.Settings) { s.ExternalURL = dpopExternal + "/v1" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL with a query", func(s *core.Settings) { s.ExternalURL = dpopExternal + "?a=b" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL with a fragment", func(s *core.Settings) { s.ExternalURL = dpopExternal + "#top" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL with user information", func(s *core.Settings) { s.ExternalURL = "https://u:p@api.example" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL not http(s)", func(s *core.Settings) { s.ExternalURL = "ftp://api.example" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL without a scheme", func(s *core.Settings) { s.ExternalURL = "api.example" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL with a space", func(s *core.Settings) { s.ExternalURL = "https://api .example" }, "OIDC_RS_EXTERNAL_URL"},
		{"external URL with off", func(s *core.Settings) { s.DPoP, s.ExternalURL = core.DPoPOff, "ftp://x" }, "OIDC_RS_EXTERNAL_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := btSettings(t, as)
			tc.edit(&st)
			verr := st.Validate()
			rs, nerr := core.New(st)
			if tc.bad == "" {
				require.NoError(t, verr)
				require.NoError(t, nerr)
				require.NotNil(t, rs)
				return
			}
			for _, err := range []error{verr, nerr} {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.bad+":")
			}
		})
	}
}

// TestDPoPSettingsFromEnv checks that OIDC_RS_DPOP (any case, spaces
// trimmed) and OIDC_RS_EXTERNAL_URL are read from the environment, that a
// bad mode is refused when the server is built, and that both settings
// print.
func TestDPoPSettingsFromEnv(t *testing.T) {
	t.Parallel()
	as := btAS(t, oidcrstest.JSON)
	s, err := core.SettingsFromEnv(btEnv(btEnvFor(as, map[string]string{
		"OIDC_RS_DPOP": " Required ", "OIDC_RS_EXTERNAL_URL": dpopExternal})))
	require.NoError(t, err)
	assert.Equal(t, core.DPoPRequired, s.DPoP)
	assert.Equal(t, dpopExternal, s.ExternalURL)
	_, err = core.New(s)
	require.NoError(t, err)

	assert.Contains(t, s.String(), `OIDC_RS_DPOP="required"`)
	assert.Contains(t, s.String(), `OIDC_RS_EXTERNAL_URL="`+dpopExternal+`"`)
	assert.Contains(t, fmt.Sprint(s), `OIDC_RS_DPOP="required"`)
	logger, sink := btLogger()
	logger.Info("settings", slog.Any("s", s))
	assert.Contains(t, sink.String(), `"OIDC_RS_DPOP":"required"`)
	assert.Contains(t, sink.String(), `"OIDC_RS_EXTERNAL_URL":"`+dpopExternal+`"`)

	s, err = core.SettingsFromEnv(btEnv(btEnvFor(as, map[string]string{"OIDC_RS_DPOP": "maybe"})))
	require.NoError(t, err, "the mode is checked with the rest, by Validate")
	_, err = core.New(s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OIDC_RS_DPOP:")

	s, err = core.SettingsFromEnv(btEnv(btEnvFor(as, nil)))
	require.NoError(t, err)
	assert.Empty(t, s.DPoP, "unset: New's default")
	rs, err := core.New(s)
	require.NoError(t, err)
	assert.Equal(t, core.DPoPAllowed, rs.Settings().DPoP)
}
